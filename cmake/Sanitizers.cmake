# -DTWELVEFOLD_SANITIZE=ON builds everything (firmware images included) with ASan and UBSan.
# Firmware images are dlopen'ed by an instrumented host, so they must be instrumented too.
if(TWELVEFOLD_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
