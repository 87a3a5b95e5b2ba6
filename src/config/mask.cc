#include "vestige/config.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace vestige {

namespace {

constexpr std::string_view kMask = "****";

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

// Parameter names whose values are credentials: libpq's password and
// sslpassword, and the usual spellings of API keys and tokens in URL queries.
// libpq's sslkey is a file name, not a secret, and is left visible.
bool is_secret_name(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const std::string_view n = lower;
  return n.ends_with("password") || n.ends_with("secret") || n.ends_with("token") || n == "key" ||
         n.ends_with("_key") || n.ends_with("apikey");
}

// RFC 3986 scheme followed by "://"; returns the offset of the authority, or 0.
std::size_t authority_offset(std::string_view text) {
  const std::size_t sep = text.find("://");
  if (sep == std::string_view::npos || sep == 0) return 0;
  const auto is_scheme_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '-' || c == '.';
  };
  if (!std::isalpha(static_cast<unsigned char>(text.front()))) return 0;
  if (!std::all_of(text.begin(), text.begin() + sep, is_scheme_char)) return 0;
  return sep + 3;
}

std::string mask_url(std::string_view url, std::size_t authority_begin) {
  std::size_t authority_end = url.find_first_of("/?#", authority_begin);
  if (authority_end == std::string_view::npos) authority_end = url.size();
  const std::string_view authority = url.substr(authority_begin, authority_end - authority_begin);

  std::string out(url.substr(0, authority_begin));
  // The last '@' ends the user information: an unencoded '@' in a password
  // must not leave the rest of the password visible.
  const std::size_t at = authority.rfind('@');
  const std::size_t colon =
      at == std::string_view::npos ? std::string_view::npos : authority.substr(0, at).find(':');
  if (colon != std::string_view::npos) {
    out += authority.substr(0, colon + 1);
    out += kMask;
    out += authority.substr(at);
  } else {
    out += authority;
  }

  // libpq also takes password=... as a query parameter.
  const std::size_t query_begin = url.find('?', authority_end);
  const std::size_t fragment_begin = url.find('#', authority_end);
  const std::size_t query_end =
      fragment_begin == std::string_view::npos ? url.size() : fragment_begin;
  if (query_begin == std::string_view::npos || query_begin > query_end) {
    out += url.substr(authority_end);
    return out;
  }
  out += url.substr(authority_end, query_begin + 1 - authority_end);
  std::size_t param_begin = query_begin + 1;
  while (param_begin <= query_end) {
    std::size_t param_end = url.find('&', param_begin);
    if (param_end == std::string_view::npos || param_end > query_end) param_end = query_end;
    const std::string_view param = url.substr(param_begin, param_end - param_begin);
    const std::size_t eq = param.find('=');
    if (eq != std::string_view::npos && is_secret_name(param.substr(0, eq))) {
      out += param.substr(0, eq + 1);
      out += kMask;
    } else {
      out += param;
    }
    if (param_end < query_end) out += '&';
    param_begin = param_end + 1;
  }
  out += url.substr(query_end);
  return out;
}

// Key/value conninfo as libpq reads it: `key = value` pairs separated by
// whitespace, values either bare or single-quoted, with backslash escapes in
// both forms.
std::string mask_conninfo(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  const auto copy_spaces = [&] {
    while (i < text.size() && is_space(text[i])) out += text[i++];
  };
  while (i < text.size()) {
    copy_spaces();
    const std::size_t key_begin = i;
    while (i < text.size() && !is_space(text[i]) && text[i] != '=') ++i;
    const std::string_view key = text.substr(key_begin, i - key_begin);
    out += key;
    copy_spaces();
    if (i == text.size() || text[i] != '=') continue;
    out += text[i++];
    copy_spaces();
    const std::size_t value_begin = i;
    const bool quoted = i < text.size() && text[i] == '\'';
    if (quoted) ++i;
    while (i < text.size() && (quoted ? text[i] != '\'' : !is_space(text[i]))) {
      if (text[i] == '\\' && i + 1 < text.size()) ++i;
      ++i;
    }
    if (quoted && i < text.size()) ++i;
    out += is_secret_name(key) ? kMask : text.substr(value_begin, i - value_begin);
  }
  return out;
}

}  // namespace

std::string mask_secrets(std::string_view url_or_conninfo) {
  const std::size_t authority = authority_offset(url_or_conninfo);
  if (authority != 0) return mask_url(url_or_conninfo, authority);
  return mask_conninfo(url_or_conninfo);
}

}  // namespace vestige
