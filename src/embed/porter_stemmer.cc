#include "embed/porter_stemmer.h"

#include <algorithm>

namespace vestige::embed {
namespace {

// The stemmer's working state: the word in `b`, its current end `k` (the
// index of the last letter) and `j`, the end of the stem that the last
// successful ends() left in front of the suffix. Indices are signed because
// `j` is -1 when a suffix covers the whole word.
class Stemmer {
 public:
  explicit Stemmer(std::string_view word) : b_(word), k_(static_cast<int>(word.size()) - 1) {}

  std::string run() {
    step1ab();
    if (k_ > 0) {
      step1c();
      step2();
      step3();
      step4();
      step5();
    }
    b_.resize(static_cast<std::size_t>(k_ + 1));
    return std::move(b_);
  }

 private:
  char at(int i) const { return b_[static_cast<std::size_t>(i)]; }

  // A consonant is a letter other than a, e, i, o, u, and other than a "y"
  // preceded by a consonant.
  bool consonant(int i) const {
    switch (at(i)) {
      case 'a':
      case 'e':
      case 'i':
      case 'o':
      case 'u':
        return false;
      case 'y':
        return i == 0 || !consonant(i - 1);
      default:
        return true;
    }
  }

  // m, the number of vowel-consonant sequences in b[0..j]: the stem has the
  // form [C](VC){m}[V].
  int measure() const {
    int n = 0;
    int i = 0;
    while (true) {
      if (i > j_) return n;
      if (!consonant(i)) break;
      ++i;
    }
    ++i;
    while (true) {
      while (true) {
        if (i > j_) return n;
        if (consonant(i)) break;
        ++i;
      }
      ++i;
      ++n;
      while (true) {
        if (i > j_) return n;
        if (!consonant(i)) break;
        ++i;
      }
      ++i;
    }
  }

  bool vowel_in_stem() const {
    for (int i = 0; i <= j_; ++i) {
      if (!consonant(i)) return true;
    }
    return false;
  }

  bool double_consonant(int i) const { return i >= 1 && at(i) == at(i - 1) && consonant(i); }

  // *o: b[i-2..i] is consonant-vowel-consonant and the last one is not w, x
  // or y ("hop", "fil" but not "snow", "box", "tray").
  bool cvc(int i) const {
    if (i < 2 || !consonant(i) || consonant(i - 1) || !consonant(i - 2)) return false;
    const char c = at(i);
    return c != 'w' && c != 'x' && c != 'y';
  }

  bool ends(std::string_view suffix) {
    const int len = static_cast<int>(suffix.size());
    if (len > k_ + 1) return false;
    if (std::string_view(b_).substr(static_cast<std::size_t>(k_ + 1 - len),
                                    static_cast<std::size_t>(len)) != suffix) {
      return false;
    }
    j_ = k_ - len;
    return true;
  }

  // Replaces b[j+1..k] with `s`.
  void set_to(std::string_view s) {
    b_.replace(static_cast<std::size_t>(j_ + 1), static_cast<std::size_t>(k_ - j_), s);
    k_ = j_ + static_cast<int>(s.size());
  }

  void replace_if_measured(std::string_view s) {
    if (measure() > 0) set_to(s);
  }

  // Plurals and -ed, -ing: caresses -> caress, ponies -> poni, cats -> cat,
  // agreed -> agree, plastered -> plaster, motoring -> motor, hopping -> hop,
  // filing -> file.
  void step1ab() {
    if (at(k_) == 's') {
      if (ends("sses")) {
        k_ -= 2;
      } else if (ends("ies")) {
        set_to("i");
      } else if (at(k_ - 1) != 's') {
        --k_;
      }
    }
    if (ends("eed")) {
      if (measure() > 0) --k_;
    } else if ((ends("ed") || ends("ing")) && vowel_in_stem()) {
      k_ = j_;
      if (ends("at")) {
        set_to("ate");
      } else if (ends("bl")) {
        set_to("ble");
      } else if (ends("iz")) {
        set_to("ize");
      } else if (double_consonant(k_)) {
        const char c = at(k_);
        if (c != 'l' && c != 's' && c != 'z') --k_;
      } else {
        j_ = k_;
        if (measure() == 1 && cvc(k_)) set_to("e");
      }
    }
  }

  // Terminal y to i when there is another vowel in the stem: happy -> happi.
  void step1c() {
    if (ends("y") && vowel_in_stem()) b_[static_cast<std::size_t>(k_)] = 'i';
  }

  // Double suffixes to single ones: relational -> relate, digitizer -> digitize.
  void step2() {
    struct Rule {
      std::string_view from, to;
    };
    static constexpr Rule kRules[] = {
        {"ational", "ate"}, {"tional", "tion"}, {"enci", "ence"},   {"anci", "ance"},
        {"izer", "ize"},    {"abli", "able"},   {"alli", "al"},     {"entli", "ent"},
        {"eli", "e"},       {"ousli", "ous"},   {"ization", "ize"}, {"ation", "ate"},
        {"ator", "ate"},    {"alism", "al"},    {"iveness", "ive"}, {"fulness", "ful"},
        {"ousness", "ous"}, {"aliti", "al"},    {"iviti", "ive"},   {"biliti", "ble"},
    };
    apply_first(kRules);
  }

  // -ic-, -full, -ness etc.: triplicate -> triplic, hopeful -> hope.
  void step3() {
    struct Rule {
      std::string_view from, to;
    };
    static constexpr Rule kRules[] = {
        {"icate", "ic"}, {"ative", ""}, {"alize", "al"}, {"iciti", "ic"},
        {"ical", "ic"},  {"ful", ""},   {"ness", ""},
    };
    apply_first(kRules);
  }

  // As in Porter's reference implementation, only the first rule whose
  // suffix matches is considered, even when its condition on m fails.
  template <typename Rules>
  void apply_first(const Rules& rules) {
    for (const auto& rule : rules) {
      if (ends(rule.from)) {
        replace_if_measured(rule.to);
        return;
      }
    }
  }

  // Drops -ant, -ence etc. when m > 1: revival -> reviv, adjustment -> adjust.
  void step4() {
    static constexpr std::string_view kSuffixes[] = {
        "al",  "ance", "ence", "er",  "ic",  "able", "ible", "ant", "ement", "ment",
        "ent", "ion",  "ou",   "ism", "ate", "iti",  "ous",  "ive", "ize",
    };
    for (const auto suffix : kSuffixes) {
      if (!ends(suffix)) continue;
      // -ion only after s or t: adoption -> adopt, but not onion.
      if (suffix == "ion" && (j_ < 0 || (at(j_) != 's' && at(j_) != 't'))) return;
      if (measure() > 1) k_ = j_;
      return;
    }
  }

  // A final -e and a double l: probate -> probat, controll -> control.
  void step5() {
    j_ = k_;
    if (at(k_) == 'e') {
      const int m = measure();
      if (m > 1 || (m == 1 && !cvc(k_ - 1))) --k_;
    }
    if (at(k_) == 'l' && double_consonant(k_) && measure() > 1) --k_;
  }

  std::string b_;
  int k_;
  int j_ = 0;
};

}  // namespace

std::string porter_stem(std::string_view word) {
  if (word.size() <= 2) return std::string(word);
  const bool letters_only =
      std::all_of(word.begin(), word.end(), [](char c) { return c >= 'a' && c <= 'z'; });
  if (!letters_only) return std::string(word);
  return Stemmer(word).run();
}

}  // namespace vestige::embed
