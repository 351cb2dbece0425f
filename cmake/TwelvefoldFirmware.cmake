# twelvefold_add_firmware(NAME SOURCES...)
#
# Builds a firmware image: a shared object written against <twelvefold/firmware.h>, loaded by
# the firmware shim once per worker copy. The image is linked with -z now so that its whole GOT
# is resolved at load time and sits in the RELRO part, which the shim never swaps: only .data
# and .bss form a twin's RAM image. The result is ${TWELVEFOLD_FIRMWARE_OUTPUT_DIR}/NAME.so.
function(twelvefold_add_firmware name)
  set(sources ${ARGN})
  if(NOT sources)
    message(FATAL_ERROR "twelvefold_add_firmware(${name}): no sources given")
  endif()
  add_library(${name} MODULE ${sources})
  target_link_libraries(${name} PRIVATE twelvefold::firmware_runtime)
  set_target_properties(${name} PROPERTIES
    PREFIX ""
    LIBRARY_OUTPUT_DIRECTORY "${TWELVEFOLD_FIRMWARE_OUTPUT_DIR}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden)
  target_link_options(${name} PRIVATE -Wl,-z,now -Wl,-z,relro -Wl,--no-undefined)
endfunction()
