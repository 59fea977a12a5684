#!/usr/bin/env python3
"""Embeds a text file in a C++ source as a std::string returned by a function.

usage: embed.py INPUT OUTPUT NAMESPACE FUNCTION
The file's bytes become a raw string literal split into pieces (compilers
limit one literal's length), so the page is served from the binary with no
file beside it.
"""
import sys

src, out, namespace, function = sys.argv[1:5]
text = open(src, encoding="utf-8").read()
delim = "obpage"
assert ")" + delim + '"' not in text
pieces = [text[i:i + 8000] for i in range(0, len(text), 8000)]
with open(out, "w", encoding="utf-8") as f:
    f.write("// Generated from " + src.split("/")[-1] + " by embed.py: edit the HTML, not this file.\n")
    f.write("#include <string>\n\n")
    f.write("namespace " + namespace + " {\n\n")
    f.write("const std::string& " + function + "() {\n")
    f.write("  static const std::string text = std::string()")
    for p in pieces:
        f.write("\n      + R\"" + delim + "(" + p + ")" + delim + "\"")
    f.write(";\n  return text;\n}\n\n}  // namespace " + namespace + "\n")
