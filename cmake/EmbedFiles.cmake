# vestige_embed_files(<target> <function> <file>...)
#
# Generates a C++ source that defines
#   std::span<const vestige::EmbeddedFile> <function>();
# returning the given files' names and contents, sorted by name, and adds it to
# <target>. SQL is kept in .sql files so a DBA can read it without reading C++;
# this makes it part of the binary so nothing is read from disk at run time.
function(vestige_embed_files target function)
  set(out "${CMAKE_CURRENT_BINARY_DIR}/embedded_${function}.cc")
  add_custom_command(
    OUTPUT "${out}"
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DFUNCTION=${function}
            "-DFILES=${ARGN}" -P "${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake"
    DEPENDS ${ARGN} "${PROJECT_SOURCE_DIR}/cmake/EmbedFilesScript.cmake"
    COMMENT "Embedding files for ${function}"
    VERBATIM)
  target_sources(${target} PRIVATE "${out}")
endfunction()
