# Compiler flags shared by every Pledger target.
#
# pledger_target_defaults(<target>) turns the warnings on (and into errors unless
# PLEDGER_WERROR is OFF). Generated protobuf code gets none of this: it is not ours.
set(PLEDGER_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wcast-align -Wunused -Woverloaded-virtual
    -Wimplicit-fallthrough -Wformat=2)

# Clang checks the lock annotations of ledger/io/sync.h (GUARDED_BY, REQUIRES).
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  list(APPEND PLEDGER_WARNINGS -Wthread-safety)
endif()

if(PLEDGER_TSAN)
  if(PLEDGER_SANITIZE)
    message(FATAL_ERROR "PLEDGER_TSAN and PLEDGER_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
endif()

if(PLEDGER_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# libFuzzer builds (tests/fuzz.cmake): every library is instrumented for
# coverage, not only the target's own file. Without this the fuzzer counted
# the edges of fuzz_tx.cc alone (85) and was blind to the contracts it
# reached (issue 17). Use a build directory of its own: every program here is
# built with ASan+UBSan.
option(PLEDGER_FUZZ "Build libFuzzer targets (needs clang)" OFF)
if(PLEDGER_FUZZ AND CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

function(pledger_target_defaults target)
  target_compile_options(${target} PRIVATE ${PLEDGER_WARNINGS})
  if(PLEDGER_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR} ${PLEDGER_GEN_DIR})
endfunction()
