package dev.altimeter.collector.notification.definition;

import dev.altimeter.collector.notification.definition.JsonPath.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Splits a path into jsonpath-rw's tokens: ids (bare or quoted), numbers, named operators in
 * backquotes, filter comparisons, {@code ..}, {@code where} and single-character literals. Columns
 * are 1-based. One instance lexes one text.
 */
final class JsonPathLexer {
  enum Kind { ID, NUMBER, FLOAT, NAMED_OPERATOR, FILTER_OP, DOUBLEDOT, WHERE, LITERAL, END }

  record Token(Kind kind, String text, Object value, int column) {
    boolean is(String literal) {
      return kind == Kind.LITERAL && text.equals(literal);
    }
  }

  private static final Pattern ID = Pattern.compile("@?[a-zA-Z_][a-zA-Z0-9_@\\-]*");
  private static final Pattern FLOAT = Pattern.compile("-?\\d+\\.\\d+");
  private static final Pattern NUMBER = Pattern.compile("\\d+");
  private static final Pattern FILTER_OP = Pattern.compile("==?|<=|>=|!=|<|>");
  private static final String LITERALS = "*.[]()$,:|&?@+/-";
  private final String text;

  JsonPathLexer(String text) {
    this.text = text;
  }

  List<Token> tokens() throws ParseException {
    List<Token> out = new ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      char c = text.charAt(i);
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        i++;
        continue;
      }
      if (c == '\'' || c == '"' || c == '`') {
        int close = text.indexOf(c, i + 1);
        while (close > 0 && text.charAt(close - 1) == '\\') close = text.indexOf(c, close + 1);
        if (close < 0) throw new ParseException("unterminated " + c + " at column " + (i + 1));
        String inner = text.substring(i + 1, close);
        out.add(new Token(c == '`' ? Kind.NAMED_OPERATOR : Kind.ID, inner, inner, i + 1));
        i = close + 1;
        continue;
      }
      if (text.startsWith("..", i)) {
        out.add(new Token(Kind.DOUBLEDOT, "..", null, i + 1));
        i += 2;
        continue;
      }
      Matcher m;
      if ((m = FLOAT.matcher(text).region(i, text.length())).lookingAt()) {
        out.add(new Token(Kind.FLOAT, m.group(), Double.parseDouble(m.group()), i + 1));
        i = m.end();
        continue;
      }
      if ((m = NUMBER.matcher(text).region(i, text.length())).lookingAt()) {
        out.add(new Token(Kind.NUMBER, m.group(), Long.parseLong(m.group()), i + 1));
        i = m.end();
        continue;
      }
      if ((m = ID.matcher(text).region(i, text.length())).lookingAt()) {
        String id = m.group();
        out.add(new Token(id.equals("where") ? Kind.WHERE : Kind.ID, id, id, i + 1));
        i = m.end();
        continue;
      }
      if ((m = FILTER_OP.matcher(text).region(i, text.length())).lookingAt()) {
        out.add(new Token(Kind.FILTER_OP, m.group(), null, i + 1));
        i = m.end();
        continue;
      }
      if (LITERALS.indexOf(c) >= 0) {
        out.add(new Token(Kind.LITERAL, String.valueOf(c), null, i + 1));
        i++;
        continue;
      }
      throw new ParseException("unexpected character '" + c + "' at column " + (i + 1));
    }
    out.add(new Token(Kind.END, "end of path", null, text.length() + 1));
    return out;
  }
}
