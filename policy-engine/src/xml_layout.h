// Splits CIB text into its configuration and the <node_state> elements of
// its <status>, without building a DOM, so a large status (a million
// operation records) can be parsed one node at a time in little memory.
//
// The split is a fast guess made with substring searches. It is safe
// because every piece is then parsed by a real XML parser: a wrong guess
// (say "<status" inside a comment) makes a piece malformed, and the caller
// then parses the whole document at once instead.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

namespace pulse::pe {

struct ByteRange {
  std::size_t begin = 0;
  std::size_t end = 0;  // one past the last byte
};

struct CibLayout {
  ByteRange status;                    // the whole <status> element
  std::vector<ByteRange> node_states;  // its <node_state> children, in order
  std::vector<ByteRange> tickets;      // its <tickets> children (ticket states), in order
};

// nullopt when no <status>...</status> element is found.
std::optional<CibLayout> scanCibLayout(std::string_view text);

}  // namespace pulse::pe
