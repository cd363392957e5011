package dev.altimeter.promql;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits a query into tokens as Prometheus' promql/parser/lex.go does: identifiers (keywords are
 * identifiers here, the parser tells them apart by position), numbers (decimal, hex, Inf, NaN),
 * durations (5m, 1h30m, 100ms), strings in "", '' (Go escapes) or `` (raw), operators.
 * Comments (# to end of line) are skipped. Not thread-safe; one instance per query.
 */
final class Lexer {

  enum Kind {
    IDENT, METRIC_IDENT, NUMBER, DURATION, STRING,
    LPAREN, RPAREN, LBRACE, RBRACE, LBRACKET, RBRACKET, COMMA, COLON, AT,
    ADD, SUB, MUL, DIV, MOD, POW, EQL, NEQ, LTE, LSS, GTE, GTR, ASSIGN, EQL_REGEX, NEQ_REGEX,
    EOF
  }

  record Token(Kind kind, String text, int pos) {
    @Override
    public String toString() {
      return kind == Kind.EOF ? "end of input" : kind == Kind.STRING ? "string \"" + text + "\"" : "\"" + text + "\"";
    }
  }

  private final String input;
  private int pos;

  private Lexer(String input) {
    this.input = input;
  }

  static List<Token> lex(String input) {
    return new Lexer(input).run();
  }

  private List<Token> run() {
    List<Token> out = new ArrayList<>();
    while (true) {
      skipSpace();
      if (pos >= input.length()) {
        out.add(new Token(Kind.EOF, "", pos));
        return out;
      }
      out.add(next());
    }
  }

  private void skipSpace() {
    while (pos < input.length()) {
      char c = input.charAt(pos);
      if (c == '#') {
        while (pos < input.length() && input.charAt(pos) != '\n') {
          pos++;
        }
      } else if (Character.isWhitespace(c)) {
        pos++;
      } else {
        return;
      }
    }
  }

  private Token next() {
    int start = pos;
    char c = input.charAt(pos);
    char n = pos + 1 < input.length() ? input.charAt(pos + 1) : 0;
    switch (c) {
      case '(': pos++; return new Token(Kind.LPAREN, "(", start);
      case ')': pos++; return new Token(Kind.RPAREN, ")", start);
      case '{': pos++; return new Token(Kind.LBRACE, "{", start);
      case '}': pos++; return new Token(Kind.RBRACE, "}", start);
      case '[': pos++; return new Token(Kind.LBRACKET, "[", start);
      case ']': pos++; return new Token(Kind.RBRACKET, "]", start);
      case ',': pos++; return new Token(Kind.COMMA, ",", start);
      case ':':
        if (isIdentStart(n) || n == ':') {
          return identifier();
        }
        pos++;
        return new Token(Kind.COLON, ":", start);
      case '@': pos++; return new Token(Kind.AT, "@", start);
      case '+': pos++; return new Token(Kind.ADD, "+", start);
      case '-': pos++; return new Token(Kind.SUB, "-", start);
      case '*': pos++; return new Token(Kind.MUL, "*", start);
      case '/': pos++; return new Token(Kind.DIV, "/", start);
      case '%': pos++; return new Token(Kind.MOD, "%", start);
      case '^': pos++; return new Token(Kind.POW, "^", start);
      case '=':
        if (n == '=') {
          pos += 2;
          return new Token(Kind.EQL, "==", start);
        }
        if (n == '~') {
          pos += 2;
          return new Token(Kind.EQL_REGEX, "=~", start);
        }
        pos++;
        return new Token(Kind.ASSIGN, "=", start);
      case '!':
        if (n == '=') {
          pos += 2;
          return new Token(Kind.NEQ, "!=", start);
        }
        if (n == '~') {
          pos += 2;
          return new Token(Kind.NEQ_REGEX, "!~", start);
        }
        throw error(start, "unexpected character after '!': " + quoteChar(n));
      case '<':
        if (n == '=') {
          pos += 2;
          return new Token(Kind.LTE, "<=", start);
        }
        pos++;
        return new Token(Kind.LSS, "<", start);
      case '>':
        if (n == '=') {
          pos += 2;
          return new Token(Kind.GTE, ">=", start);
        }
        pos++;
        return new Token(Kind.GTR, ">", start);
      case '"', '\'':
        return quoted(c);
      case '`':
        return raw();
      default:
        if (Character.isDigit(c) || (c == '.' && Character.isDigit(n))) {
          return numberOrDuration();
        }
        if (isIdentStart(c)) {
          return identifier();
        }
        throw error(start, "unexpected character: " + quoteChar(c));
    }
  }

  private static String quoteChar(char c) {
    return c == 0 ? "end of input" : "'" + c + "'";
  }

  static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  static boolean isIdentPart(char c) {
    return isIdentStart(c) || (c >= '0' && c <= '9');
  }

  private Token identifier() {
    int start = pos;
    boolean colon = false;
    while (pos < input.length() && (isIdentPart(input.charAt(pos)) || input.charAt(pos) == ':')) {
      colon |= input.charAt(pos) == ':';
      pos++;
    }
    String text = input.substring(start, pos);
    if (!colon && (text.equalsIgnoreCase("inf") || text.equalsIgnoreCase("nan"))) {
      return new Token(Kind.NUMBER, text, start);
    }
    return new Token(colon ? Kind.METRIC_IDENT : Kind.IDENT, text, start);
  }

  private Token numberOrDuration() {
    int start = pos;
    // a duration: one or more <digits><unit>, units ms s m h d w y
    int p = pos;
    int units = 0;
    while (p < input.length() && Character.isDigit(input.charAt(p))) {
      int q = p;
      while (q < input.length() && Character.isDigit(input.charAt(q))) {
        q++;
      }
      int u = unitLength(q);
      if (u == 0) {
        break;
      }
      p = q + u;
      units++;
    }
    if (units > 0 && (p >= input.length() || !isIdentPart(input.charAt(p)) && input.charAt(p) != '.')) {
      pos = p;
      return new Token(Kind.DURATION, input.substring(start, p), start);
    }
    // a number, as Go's strconv.ParseFloat accepts it
    p = pos;
    if (input.startsWith("0x", p) || input.startsWith("0X", p)) {
      p += 2;
      while (p < input.length() && Character.digit(input.charAt(p), 16) >= 0) {
        p++;
      }
    } else {
      while (p < input.length() && Character.isDigit(input.charAt(p))) {
        p++;
      }
      if (p < input.length() && input.charAt(p) == '.') {
        p++;
        while (p < input.length() && Character.isDigit(input.charAt(p))) {
          p++;
        }
      }
      if (p < input.length() && (input.charAt(p) == 'e' || input.charAt(p) == 'E')) {
        int q = p + 1;
        if (q < input.length() && (input.charAt(q) == '+' || input.charAt(q) == '-')) {
          q++;
        }
        if (q < input.length() && Character.isDigit(input.charAt(q))) {
          p = q;
          while (p < input.length() && Character.isDigit(input.charAt(p))) {
            p++;
          }
        }
      }
    }
    if (p < input.length() && (isIdentPart(input.charAt(p)) || input.charAt(p) == '.')) {
      throw error(start, "bad number or duration syntax: \"" + input.substring(start, Math.min(p + 1, input.length())) + "\"");
    }
    pos = p;
    return new Token(Kind.NUMBER, input.substring(start, p), start);
  }

  private int unitLength(int q) {
    if (q >= input.length()) {
      return 0;
    }
    if (input.startsWith("ms", q)) {
      return 2;
    }
    return "smhdwy".indexOf(input.charAt(q)) >= 0 ? 1 : 0;
  }

  private Token quoted(char quote) {
    int start = pos++;
    StringBuilder b = new StringBuilder();
    while (true) {
      if (pos >= input.length() || input.charAt(pos) == '\n') {
        throw error(start, "unterminated quoted string");
      }
      char c = input.charAt(pos++);
      if (c == quote) {
        return new Token(Kind.STRING, b.toString(), start);
      }
      if (c != '\\') {
        b.append(c);
        continue;
      }
      if (pos >= input.length()) {
        throw error(start, "unterminated quoted string");
      }
      char e = input.charAt(pos++);
      switch (e) {
        case 'a' -> b.append('\u0007');
        case 'b' -> b.append('\b');
        case 'f' -> b.append('\f');
        case 'n' -> b.append('\n');
        case 'r' -> b.append('\r');
        case 't' -> b.append('\t');
        case 'v' -> b.append('\u000b');
        case '\\' -> b.append('\\');
        case 'x' -> b.appendCodePoint(hex(2, start));
        case 'u' -> b.appendCodePoint(hex(4, start));
        case 'U' -> b.appendCodePoint(hex(8, start));
        default -> {
          if (e == quote) {
            b.append(e);
          } else if (e >= '0' && e <= '7') {
            if (pos + 2 > input.length()) {
              throw error(start, "unterminated quoted string");
            }
            String oct = input.substring(pos - 1, pos + 2);
            if (!oct.chars().allMatch(ch -> ch >= '0' && ch <= '7')) {
              throw error(pos - 2, "invalid escape sequence \\" + oct);
            }
            b.append((char) Integer.parseInt(oct, 8));
            pos += 2;
          } else {
            throw error(pos - 2, "unknown escape sequence '\\" + e + "'");
          }
        }
      }
    }
  }

  private int hex(int digits, int start) {
    if (pos + digits > input.length()) {
      throw error(start, "unterminated quoted string");
    }
    String h = input.substring(pos, pos + digits);
    try {
      int v = Integer.parseUnsignedInt(h, 16);
      pos += digits;
      return v;
    } catch (NumberFormatException e) {
      throw error(pos, "invalid escape sequence \\" + h);
    }
  }

  private Token raw() {
    int start = pos++;
    int end = input.indexOf('`', pos);
    if (end < 0) {
      throw error(start, "unterminated raw string");
    }
    pos = end + 1;
    return new Token(Kind.STRING, input.substring(start + 1, end), start);
  }

  private QueryException error(int at, String message) {
    return Parser.error(input, at, message);
  }
}
