# pledger_proto_library(<target> PROTOS a.proto ... [DEPS <targets>...])
#
# Runs protoc on .proto files (paths relative to the current source dir) with the
# repository root as the import root, so `import "ledger/proto/x.proto";` works
# everywhere and generated headers are included as "ledger/proto/x.pb.h".
# The .proto files are the single source of wire and disk formats; generated code
# lives only in the build tree and is never edited or committed.
function(pledger_proto_library target)
  cmake_parse_arguments(P "" "" "PROTOS;DEPS" ${ARGN})
  set(all_protos)
  foreach(p IN LISTS P_PROTOS)
    list(APPEND all_protos ${CMAKE_CURRENT_SOURCE_DIR}/${p})
  endforeach()
  set(srcs)
  foreach(p IN LISTS P_PROTOS)
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${CMAKE_CURRENT_SOURCE_DIR}/${p})
    string(REGEX REPLACE "\\.proto$" "" base ${rel})
    set(out_cc ${PLEDGER_GEN_DIR}/${base}.pb.cc)
    set(out_h ${PLEDGER_GEN_DIR}/${base}.pb.h)
    add_custom_command(
      OUTPUT ${out_cc} ${out_h}
      COMMAND protobuf::protoc --cpp_out=${PLEDGER_GEN_DIR} -I${PROJECT_SOURCE_DIR} ${rel}
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      DEPENDS ${all_protos} protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    list(APPEND srcs ${out_cc})
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} PUBLIC ${PLEDGER_GEN_DIR})
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf ${P_DEPS})
  # Generated code: no project warnings, and never -Werror.
  target_compile_options(${target} PRIVATE -w)
endfunction()
