package io.genbench;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * A closed set whose constants have a label for people and files (JMH's {@code Mode}: {@code "thrpt"}). {@link #parse}
 * is the one label parser of every such enum: an unknown label is a {@link UserError} naming the value, where it came
 * from and every valid choice.
 */
public interface Labeled {
  String label();

  /**
   * The constant of {@code type} labelled {@code value} (exactly), or a {@link UserError}
   * {@code Unknown <what> "<value>" (<origin>). Known: a, b.}
   *
   * @param what what the value is, e.g. {@code precision}
   * @param origin where it came from, e.g. {@code plan.yaml, matrix.precisions}; null when the message needs none
   */
  static <E extends Enum<E> & Labeled> E parse(Class<E> type, String value, String what, String origin) {
    for (E e : type.getEnumConstants()) {
      if (e.label().equals(value)) return e;
    }
    throw unknown(type, value, what, origin);
  }

  /** As {@link #parse}, ignoring case and surrounding blanks. */
  static <E extends Enum<E> & Labeled> E parseIgnoringCase(Class<E> type, String value, String what, String origin) {
    String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
    for (E e : type.getEnumConstants()) {
      if (e.label().toLowerCase(Locale.ROOT).equals(v)) return e;
    }
    throw unknown(type, value, what, origin);
  }

  /** Every label of {@code type}, comma-separated, in declaration order. */
  static <E extends Enum<E> & Labeled> String choices(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(Labeled::label).collect(Collectors.joining(", "));
  }

  private static <E extends Enum<E> & Labeled> UserError unknown(Class<E> type, String value, String what, String origin) {
    return new UserError("Unknown " + what + " \"" + value + "\"" + (origin == null ? "" : " (" + origin + ")") + ". Known: "
        + choices(type) + ".");
  }
}
