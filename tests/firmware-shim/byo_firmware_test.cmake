# ctest script: bring-your-own firmware, end to end. Installs the firmware SDK from the build
# tree into a temporary prefix, configures and builds the out-of-tree example against it, then
# loads and runs the image it produced.
#   -DBUILD_DIR=<twelvefold build> -DEXAMPLE_DIR=<examples/byo-firmware> -DWORK_DIR=<scratch>
#   -DCHECK=<shim_image_check> -DGENERATOR=<cmake generator> [-DSANITIZE=ON]
foreach(var BUILD_DIR EXAMPLE_DIR WORK_DIR CHECK GENERATOR)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "byo_firmware_test: ${var} not set")
  endif()
endforeach()

function(run what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE status OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT status EQUAL 0)
    message(FATAL_ERROR "byo_firmware_test: ${what} failed (${status}):\n${out}\n${err}")
  endif()
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

file(REMOVE_RECURSE "${WORK_DIR}")
run("install" "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --component firmware_sdk
    --prefix "${WORK_DIR}/prefix")
foreach(installed include/twelvefold/firmware.h
                  lib/cmake/twelvefold_firmware/twelvefold_firmware-config.cmake
                  lib/cmake/twelvefold_firmware/TwelvefoldFirmware.cmake)
  if(NOT EXISTS "${WORK_DIR}/prefix/${installed}")
    message(FATAL_ERROR "byo_firmware_test: ${installed} was not installed")
  endif()
endforeach()
set(flags "")
if(SANITIZE)  # the installed runtime is instrumented, so the example must be too
  set(flags "-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-omit-frame-pointer"
            "-DCMAKE_MODULE_LINKER_FLAGS=-fsanitize=address,undefined")
endif()
run("configure" "${CMAKE_COMMAND}" -S "${EXAMPLE_DIR}" -B "${WORK_DIR}/build" -G "${GENERATOR}"
    "-DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix" ${flags})
run("build" "${CMAKE_COMMAND}" --build "${WORK_DIR}/build")
run("load and run" "${CHECK}" "${WORK_DIR}/build/door-counter.so" 3)
if(NOT last_output MATCHES "image door-counter@0.1.0" OR NOT last_output MATCHES "heap_bytes 2048"
   OR NOT last_output MATCHES "log: door=closed")
  message(FATAL_ERROR "byo_firmware_test: unexpected run:\n${last_output}")
endif()
message(STATUS "byo_firmware_test: built out of tree and ran:\n${last_output}")
