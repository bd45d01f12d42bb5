# Building against verified protocols (docs/ci.md):
#
#   lim_verify(TARGET name SPECS spec… [PROPS property…] [K n | K a..b])
#     A target, built by default, that checks the specs with `lim check`: the
#     build fails, with lim's table and counterexamples in its output, when a
#     property is violated (or cannot be decided). PROPS defaults to lim
#     check's (safety, deadlock freedom, liveness; k-MC and deadlock freedom
#     with K). Specs are checked again when they change.
#
#   lim_generate_typestate(TARGET target SPEC spec ROLE role… [NAMESPACE ns])
#     Generates the typestate C++ API of each ROLE (`lim gen cpp`, which
#     verifies the spec first) into the build tree, and gives `target` the
#     headers (#include "<spec name>/<role>.hpp"), their directory and the
#     runtime library.
#
# Relative spec paths are relative to the calling CMakeLists.txt.
include_guard(GLOBAL)

function(_lim_absolute_specs output)
  set(specs)
  foreach(spec IN LISTS ARGN)
    get_filename_component(absolute "${spec}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND specs "${absolute}")
  endforeach()
  set(${output} "${specs}" PARENT_SCOPE)
endfunction()

function(lim_verify)
  cmake_parse_arguments(PARSE_ARGV 0 LIM_VERIFY "" "TARGET;K" "SPECS;PROPS")
  if(NOT LIM_VERIFY_TARGET OR NOT LIM_VERIFY_SPECS)
    message(FATAL_ERROR "lim_verify: usage: lim_verify(TARGET name SPECS spec… [PROPS property…] [K n])")
  endif()
  if(LIM_VERIFY_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "lim_verify: unexpected arguments: ${LIM_VERIFY_UNPARSED_ARGUMENTS}")
  endif()
  _lim_absolute_specs(specs ${LIM_VERIFY_SPECS})
  set(arguments check --quiet --color never)
  if(LIM_VERIFY_PROPS)
    list(JOIN LIM_VERIFY_PROPS "," properties)
    list(APPEND arguments --props "${properties}")
  endif()
  if(LIM_VERIFY_K)
    list(APPEND arguments --k "${LIM_VERIFY_K}")
  endif()
  set(stamp "${CMAKE_CURRENT_BINARY_DIR}/${LIM_VERIFY_TARGET}.verified")
  add_custom_command(OUTPUT "${stamp}"
    COMMAND lim::lim ${arguments} ${specs}
    COMMAND "${CMAKE_COMMAND}" -E touch "${stamp}"
    DEPENDS ${specs} lim::lim
    COMMENT "lim check ${LIM_VERIFY_SPECS}"
    VERBATIM)
  add_custom_target(${LIM_VERIFY_TARGET} ALL DEPENDS "${stamp}")
endfunction()

function(lim_generate_typestate)
  cmake_parse_arguments(PARSE_ARGV 0 LIM_GEN "" "TARGET;SPEC;NAMESPACE" "ROLE")
  if(NOT LIM_GEN_TARGET OR NOT LIM_GEN_SPEC OR NOT LIM_GEN_ROLE)
    message(FATAL_ERROR "lim_generate_typestate: usage: lim_generate_typestate(TARGET target SPEC spec ROLE role…)")
  endif()
  if(NOT TARGET ${LIM_GEN_TARGET})
    message(FATAL_ERROR "lim_generate_typestate: ${LIM_GEN_TARGET} is not a target")
  endif()
  _lim_absolute_specs(spec "${LIM_GEN_SPEC}")
  get_filename_component(name "${spec}" NAME_WE)
  string(MAKE_C_IDENTIFIER "${name}" directory)
  set(root "${CMAKE_CURRENT_BINARY_DIR}/lim_generated")
  set(options)
  if(LIM_GEN_NAMESPACE)
    set(options --namespace "${LIM_GEN_NAMESPACE}")
  endif()
  set(headers)
  foreach(role IN LISTS LIM_GEN_ROLE)
    set(header "${root}/${directory}/${role}.hpp")
    add_custom_command(OUTPUT "${header}"
      COMMAND "${CMAKE_COMMAND}" -E make_directory "${root}/${directory}"
      COMMAND "${CMAKE_COMMAND}" -E env "LIM_CACHE_DIR=${CMAKE_BINARY_DIR}/lim-verdicts"
              $<TARGET_FILE:lim::lim> gen cpp "${spec}" --role "${role}" ${options} -o "${header}"
      DEPENDS "${spec}" lim::lim
      COMMENT "lim gen cpp ${LIM_GEN_SPEC} --role ${role}"
      VERBATIM)
    list(APPEND headers "${header}")
  endforeach()
  target_sources(${LIM_GEN_TARGET} PRIVATE ${headers})
  target_include_directories(${LIM_GEN_TARGET} PRIVATE "${root}")
  target_link_libraries(${LIM_GEN_TARGET} PRIVATE lim::runtime)
endfunction()
