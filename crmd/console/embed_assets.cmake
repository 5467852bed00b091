# cmake -DOUT=file.cc -DWEB=dir -P embed_assets.cmake: writes the console's page files as C++
# string constants (console_assets.h). Each file becomes one raw string literal; the build
# fails if a file holds the literal's closing delimiter.
set(content "// Generated from crmd/console/web by embed_assets.cmake; do not edit.\n")
string(APPEND content "#include \"crmd/console/console_assets.h\"\n\nnamespace pulse::crmd::console {\n")
foreach(pair "kIndexHtml=index.html" "kConsoleJs=console.js" "kConsoleCss=console.css")
  string(REPLACE "=" ";" parts ${pair})
  list(GET parts 0 name)
  list(GET parts 1 file)
  file(READ ${WEB}/${file} text)
  string(FIND "${text}" ")PULSE_ASSET" clash)
  if(NOT clash EQUAL -1)
    message(FATAL_ERROR "${file} contains )PULSE_ASSET")
  endif()
  string(APPEND content "const std::string_view ${name} = R\"PULSE_ASSET(${text})PULSE_ASSET\";\n")
endforeach()
string(APPEND content "}  // namespace pulse::crmd::console\n")
file(WRITE ${OUT}.tmp "${content}")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
