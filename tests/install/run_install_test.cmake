# Installs the build tree into a scratch prefix, then builds and runs the consumer twice:
# once through find_package(awsio), once through pkg-config.
file(REMOVE_RECURSE ${AWSIO_WORK_DIR})
file(MAKE_DIRECTORY ${AWSIO_WORK_DIR})
set(prefix ${AWSIO_WORK_DIR}/prefix)
string(REPLACE ";" " " san_flags "${AWSIO_SANITIZER_FLAGS}")

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run(${CMAKE_COMMAND} --install ${AWSIO_BINARY_DIR} --prefix ${prefix})
foreach(f include/awsio/error.hpp lib/cmake/awsio/awsioConfig.cmake
          lib/cmake/awsio/awsioConfigVersion.cmake lib/pkgconfig/awsio.pc)
  if(NOT EXISTS ${prefix}/${f})
    message(FATAL_ERROR "missing from the install: ${f}")
  endif()
endforeach()

# 1. find_package
run(${CMAKE_COMMAND} -S ${AWSIO_CONSUMER_DIR} -B ${AWSIO_WORK_DIR}/cmake-build -G Ninja
    -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CXX_COMPILER=${AWSIO_CXX}
    "-DCMAKE_CXX_FLAGS=${san_flags}" "-DCMAKE_EXE_LINKER_FLAGS=${san_flags}")
run(${CMAKE_COMMAND} --build ${AWSIO_WORK_DIR}/cmake-build)
run(${AWSIO_WORK_DIR}/cmake-build/consumer)

# 2. pkg-config
set(ENV{PKG_CONFIG_PATH} ${prefix}/lib/pkgconfig)
execute_process(COMMAND pkg-config --cflags --libs awsio RESULT_VARIABLE rc
                OUTPUT_VARIABLE pc_flags OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config awsio failed")
endif()
separate_arguments(pc_list UNIX_COMMAND "${pc_flags}")
separate_arguments(san_list UNIX_COMMAND "${san_flags}")
run(${AWSIO_CXX} -std=c++20 ${san_list} ${AWSIO_CONSUMER_DIR}/main.cpp -o ${AWSIO_WORK_DIR}/consumer-pc ${pc_list})
run(${AWSIO_WORK_DIR}/consumer-pc)
