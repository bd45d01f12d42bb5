# Proves that a protocol violation written against a generated typestate API
# does not compile, and fails for the right reason.
#
# SOURCE is a snippet that compiles as it is (it is built as a control with
# the rest of the project) and holds its violation between
# `#ifdef LIM_VIOLATION` and `#endif`, plus a line
#   // expect-error: <regular expression>
# naming the diagnostic the violation must produce. This script takes the
# control's exact compile command from compile_commands.json, adds
# -DLIM_VIOLATION, and requires the compile to fail with that diagnostic.
cmake_minimum_required(VERSION 3.25)
foreach(variable SOURCE COMPILE_COMMANDS)
  if(NOT DEFINED ${variable})
    message(FATAL_ERROR "check_compile_fails.cmake: ${variable} is not set")
  endif()
endforeach()

file(READ "${SOURCE}" text)
string(REGEX MATCH "// expect-error: ([^\n]*)" found "${text}")
if(NOT found)
  message(FATAL_ERROR "${SOURCE} has no `// expect-error:` line")
endif()
set(expected "${CMAKE_MATCH_1}")

file(READ "${COMPILE_COMMANDS}" database)
string(JSON count LENGTH "${database}")
math(EXPR last "${count} - 1")
set(command "")
foreach(index RANGE ${last})
  string(JSON file GET "${database}" ${index} file)
  if(file STREQUAL SOURCE)
    string(JSON command GET "${database}" ${index} command)
    string(JSON directory GET "${database}" ${index} directory)
    break()
  endif()
endforeach()
if(command STREQUAL "")
  message(FATAL_ERROR "no compile command for ${SOURCE} in ${COMPILE_COMMANDS}")
endif()

# Same flags, no object file, no dependency file.
separate_arguments(arguments UNIX_COMMAND "${command}")
set(filtered "")
set(skip_next FALSE)
foreach(argument IN LISTS arguments)
  if(skip_next)
    set(skip_next FALSE)
  elseif(argument STREQUAL "-o" OR argument STREQUAL "-MT" OR argument STREQUAL "-MF")
    set(skip_next TRUE)
  elseif(NOT argument STREQUAL "-MD" AND NOT argument STREQUAL "-c")
    list(APPEND filtered "${argument}")
  endif()
endforeach()
list(APPEND filtered -fsyntax-only -DLIM_VIOLATION)

execute_process(COMMAND ${filtered} WORKING_DIRECTORY "${directory}"
                RESULT_VARIABLE result OUTPUT_VARIABLE output ERROR_VARIABLE output)
if(result EQUAL 0)
  message(FATAL_ERROR "the violation in ${SOURCE} compiled; it must not")
endif()
if(NOT output MATCHES "${expected}")
  message(FATAL_ERROR "the violation in ${SOURCE} failed to compile, but without `${expected}`:\n${output}")
endif()
message(STATUS "rejected as expected (${expected})")
