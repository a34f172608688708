# Warnings, sanitizers and ccache for every awsio target.
find_program(AWSIO_CCACHE ccache)
if(AWSIO_CCACHE AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_C_COMPILER_LAUNCHER ${AWSIO_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${AWSIO_CCACHE})
endif()

set(AWSIO_SANITIZER_FLAGS "")
if(AWSIO_SANITIZE)
  string(REPLACE ";" "," _awsio_san "${AWSIO_SANITIZE}")
  list(APPEND AWSIO_SANITIZER_FLAGS -fsanitize=${_awsio_san} -fno-omit-frame-pointer)
  if("undefined" IN_LIST AWSIO_SANITIZE)
    list(APPEND AWSIO_SANITIZER_FLAGS -fno-sanitize-recover=undefined)
  endif()
  # Sanitizers apply to everything built here, tests and tools included.
  add_compile_options(${AWSIO_SANITIZER_FLAGS})
  add_link_options(${AWSIO_SANITIZER_FLAGS})
  if(CMAKE_BUILD_TYPE STREQUAL "Debug")
    add_compile_options(-O1)
  endif()
endif()

function(awsio_target_options target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough
    $<$<BOOL:${AWSIO_WARNINGS_AS_ERRORS}>:-Werror>)
endfunction()

# Fuzz builds instrument the whole library for coverage; the targets add -fsanitize=fuzzer.
if(AWSIO_BUILD_FUZZERS)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
