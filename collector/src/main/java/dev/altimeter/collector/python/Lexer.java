package dev.altimeter.collector.python;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Splits an expression into tokens: numbers (Python's ints and floats, {@code _} separators),
 * names, quoted strings (with {@code \n \t \\ \' \"} escapes), operators and, where the dialect
 * has them, {@code $(meter.name)} references. Positions are 0-based offsets into the text.
 */
final class Lexer {
  enum Kind { NUMBER, STRING, NAME, OP, METER, END }

  record Token(Kind kind, String text, Object value, int pos) {}

  private static final Set<String> TWO_CHARACTER_OPERATORS = Set.of("**", "//", "==", "!=", "<=", ">=");
  private static final String ONE_CHARACTER_OPERATORS = "+-*/%()<>.,[]:{}";

  private Lexer() {}

  static List<Token> lex(String s, boolean meterReferences) {
    List<Token> out = new ArrayList<>();
    int p = 0;
    while (p < s.length()) {
      char c = s.charAt(p);
      if (Character.isWhitespace(c)) { p++; continue; }
      int start = p;
      if (Character.isDigit(c) || c == '.' && p + 1 < s.length() && Character.isDigit(s.charAt(p + 1))) {
        p = number(s, p, out);
      } else if (Character.isLetter(c) || c == '_') {
        while (p < s.length() && (Character.isLetterOrDigit(s.charAt(p)) || s.charAt(p) == '_')) p++;
        out.add(new Token(Kind.NAME, s.substring(start, p), null, start));
      } else if (c == '\'' || c == '"') {
        p = string(s, p, out);
      } else if (meterReferences && c == '$' && p + 1 < s.length() && s.charAt(p + 1) == '(') {
        int q = p + 2;
        while (q < s.length() && (Character.isLetterOrDigit(s.charAt(q)) || "_.-".indexOf(s.charAt(q)) >= 0)) q++;
        if (q == p + 2 || q >= s.length() || s.charAt(q) != ')') throw error(s, "bad meter reference", start);
        out.add(new Token(Kind.METER, s.substring(start, q + 1), s.substring(p + 2, q), start));
        p = q + 1;
      } else {
        String two = p + 1 < s.length() ? s.substring(p, p + 2) : "";
        if (TWO_CHARACTER_OPERATORS.contains(two)) {
          out.add(new Token(Kind.OP, two, null, start));
          p += 2;
        } else if (ONE_CHARACTER_OPERATORS.indexOf(c) >= 0) {
          out.add(new Token(Kind.OP, String.valueOf(c), null, start));
          p++;
        } else {
          throw error(s, "unexpected character '" + c + "'", start);
        }
      }
    }
    out.add(new Token(Kind.END, "", null, s.length()));
    return out;
  }

  /** The message every syntax error of the kernel has: the text, what is wrong, the 1-based position. */
  static ExpressionException.Syntax error(String text, String what, int pos) {
    return new ExpressionException.Syntax("invalid expression '" + text + "': " + what + " at position " + (pos + 1));
  }

  private static int number(String s, int p, List<Token> out) {
    int start = p;
    boolean isFloat = false;
    while (p < s.length() && (Character.isDigit(s.charAt(p)) || s.charAt(p) == '_')) p++;
    if (p < s.length() && s.charAt(p) == '.') {
      isFloat = true;
      p++;
      while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
    }
    if (p < s.length() && (s.charAt(p) == 'e' || s.charAt(p) == 'E')) {
      int q = p + 1;
      if (q < s.length() && (s.charAt(q) == '+' || s.charAt(q) == '-')) q++;
      if (q < s.length() && Character.isDigit(s.charAt(q))) {
        isFloat = true;
        p = q;
        while (p < s.length() && Character.isDigit(s.charAt(p))) p++;
      }
    }
    String lit = s.substring(start, p).replace("_", "");
    Object value;
    try {
      value = isFloat ? (Object) Double.parseDouble(lit) : (Object) Long.parseLong(lit);
    } catch (NumberFormatException e) {
      value = Double.parseDouble(lit); // an int past 64 bits: Python's would grow, a float keeps the magnitude
    }
    out.add(new Token(Kind.NUMBER, lit, value, start));
    return p;
  }

  private static int string(String s, int p, List<Token> out) {
    int start = p;
    char quote = s.charAt(p++);
    StringBuilder b = new StringBuilder();
    while (true) {
      if (p >= s.length()) throw error(s, "unterminated string", start);
      char d = s.charAt(p++);
      if (d == quote) break;
      if (d == '\\' && p < s.length()) {
        char e = s.charAt(p++);
        switch (e) {
          case 'n' -> b.append('\n');
          case 't' -> b.append('\t');
          case '\\', '\'', '"' -> b.append(e);
          default -> b.append('\\').append(e);
        }
      } else {
        b.append(d);
      }
    }
    out.add(new Token(Kind.STRING, s.substring(start, p), b.toString(), start));
    return p;
  }
}
