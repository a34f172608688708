# Runs `awsio bench tcp --json` on a small transfer and checks the JSON lines: throughput and
# CPU time for awsio and for the plain-socket floor.
execute_process(COMMAND ${AWSIO_CLI} bench tcp --json --bytes 8388608
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "awsio bench tcp failed (${rc}):\n${out}\n${err}")
endif()
foreach(impl awsio plain)
  foreach(metric one_way_throughput cpu_time)
    if(NOT out MATCHES "\"impl\": \"${impl}\", \"metric\": \"${metric}\", \"value\": [0-9.e+-]+")
      message(FATAL_ERROR "no ${metric} for ${impl}:\n${out}")
    endif()
  endforeach()
endforeach()
