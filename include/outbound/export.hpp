// outbound — symbol export macro: the library is built with hidden visibility,
// and only what carries OB_API is part of the shared library's interface.
#pragma once

#if defined(_WIN32)
#define OB_API __declspec(dllexport)
#else
/// Marks a public function or class as exported from the shared library.
#define OB_API __attribute__((visibility("default")))
#endif
