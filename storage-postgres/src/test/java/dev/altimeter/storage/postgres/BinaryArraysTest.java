package dev.altimeter.storage.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import dev.altimeter.storage.TestPostgres;
import io.r2dbc.spi.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Each binary array kind, bound on the store's connections, reaches PostgreSQL as the values it
 * holds: declared with the array type (pg_typeof of the uncast parameter), printed by the server as
 * expected (its own text output, not the driver's decoding), and unnested element by element in
 * order (edge values, NULLs, non-ASCII text, empty arrays).
 */
class BinaryArraysTest {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @Test
  void float8ValuesArriveBitForBit() {
    double[] values = {Double.NaN, -0.0, 0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
        Double.MIN_VALUE, Double.MAX_VALUE, 0.1, -1.5e300, 42};
    var array = new BinaryArrays.Float8Array(values);
    assertThat(server(array, "float8")).containsExactly("double precision[]",
        "{NaN,-0,0,Infinity,-Infinity,5e-324,1.7976931348623157e+308,0.1,-1.5e+300,42}", "10");
    // Double.equals tells -0.0 from 0.0 and takes NaN as equal to itself
    assertThat(unnest(array, "float8", Double.class))
        .containsExactlyElementsOf(Arrays.stream(values).mapToObj(Optional::of).toList());
  }

  @Test
  void int8AndInt4ValuesArriveWithTheirExtremes() {
    long[] longs = {Long.MIN_VALUE, -1, 0, 1, Long.MAX_VALUE};
    var int8 = new BinaryArrays.Int8Array(longs);
    assertThat(server(int8, "int8")).containsExactly("bigint[]",
        "{-9223372036854775808,-1,0,1,9223372036854775807}", "5");
    assertThat(unnest(int8, "int8", Long.class))
        .containsExactlyElementsOf(Arrays.stream(longs).mapToObj(Optional::of).toList());

    int[] ints = {Integer.MIN_VALUE, -1, 0, 1, Integer.MAX_VALUE};
    var int4 = new BinaryArrays.Int4Array(ints);
    assertThat(server(int4, "int4")).containsExactly("integer[]", "{-2147483648,-1,0,1,2147483647}", "5");
    assertThat(unnest(int4, "int4", Integer.class))
        .containsExactlyElementsOf(Arrays.stream(ints).mapToObj(Optional::of).toList());
  }

  @Test
  void uuidsArriveMostSignificantHalfFirstAndNullAsNull() {
    UUID[] values = {new UUID(0x0123456789abcdefL, 0xfedcba9876543210L), null, new UUID(-1, -1), new UUID(0, 0)};
    var array = new BinaryArrays.UuidArray(values);
    assertThat(server(array, "uuid")).containsExactly("uuid[]", "{01234567-89ab-cdef-fedc-ba9876543210,NULL,"
        + "ffffffff-ffff-ffff-ffff-ffffffffffff,00000000-0000-0000-0000-000000000000}", "4");
    assertThat(unnest(array, "uuid", UUID.class))
        .containsExactlyElementsOf(Arrays.stream(values).map(Optional::ofNullable).toList());
  }

  @Test
  void textArrivesAsUtf8WithNullsEmptyStringsAndTheWordNull() {
    String[] values = {"plain", null, "", "NULL", "naïve Grüße 日本 🚀", "\"quoted\", {braced}\\ and, commas", null};
    var array = new BinaryArrays.TextArray(values);
    assertThat(server(array, "text")).containsExactly("text[]",
        "{plain,NULL,\"\",\"NULL\",\"naïve Grüße 日本 🚀\",\"\\\"quoted\\\", {braced}\\\\ and, commas\",NULL}", "7");
    assertThat(unnest(array, "text", String.class))
        .containsExactlyElementsOf(Arrays.stream(values).map(Optional::ofNullable).toList());
  }

  @Test
  void aLongBatchWithMultiByteTextOutgrowsTheFirstBufferIntact() {
    Random random = new Random(3);
    int n = 2_000;
    double[] volumes = new double[n];
    String[] texts = new String[n];
    for (int i = 0; i < n; i++) {
      volumes[i] = Double.longBitsToDouble(random.nextLong()); // any bit pattern
      // four bytes of UTF-8 per two chars: more than the buffer's first guess of one byte a char
      texts[i] = i % 10 == 0 ? null : "🚀".repeat(random.nextInt(20)) + i;
    }
    // Double.equals: the bits, except that every NaN is one (the JVM may quiet a signalling NaN)
    assertThat(unnest(new BinaryArrays.Float8Array(volumes), "float8", Double.class))
        .containsExactlyElementsOf(Arrays.stream(volumes).mapToObj(Optional::of).toList());
    assertThat(unnest(new BinaryArrays.TextArray(texts), "text", String.class))
        .containsExactlyElementsOf(Arrays.stream(texts).map(Optional::ofNullable).toList());
  }

  @Test
  void emptyArraysOfEveryKindAreEmpty() {
    for (Object[] kind : new Object[][] {{new BinaryArrays.Int8Array(new long[0]), "int8"},
        {new BinaryArrays.Int4Array(new int[0]), "int4"}, {new BinaryArrays.Float8Array(new double[0]), "float8"},
        {new BinaryArrays.UuidArray(new UUID[0]), "uuid"}, {new BinaryArrays.TextArray(new String[0]), "text"}}) {
      var array = (BinaryArrays.BinaryArray) kind[0];
      String type = (String) kind[1];
      assertThat(server(array, type)).as(type).endsWith("{}", "0");
      assertThat(unnest(array, type, Object.class)).as(type).isEmpty();
    }
  }

  /** The parameter's type as the server declared it, the array as the server prints it, its cardinality. */
  private static List<String> server(BinaryArrays.BinaryArray array, String type) {
    String sql = "SELECT pg_typeof($1)::text, $1::%s[]::text, cardinality($1::%s[])::text".formatted(type, type);
    return query(sql, array, row -> Stream.of(0, 1, 2).map(i -> row.get(i, String.class)).toList())
        .get(0).orElseThrow();
  }

  /** The elements in order, as the driver decodes them (in binary: the store forces binary results). */
  private static <T> List<Optional<T>> unnest(BinaryArrays.BinaryArray array, String type, Class<T> javaType) {
    return query("SELECT v FROM unnest($1::%s[]) WITH ORDINALITY AS u(v, i) ORDER BY i".formatted(type), array,
        row -> row.get("v", javaType));
  }

  private static <T> List<Optional<T>> query(String sql, Object parameter,
      java.util.function.Function<io.r2dbc.spi.Row, T> column) {
    List<Optional<T>> rows = Mono.usingWhen(TestPostgres.storage().connectionFactory().create(),
        c -> Flux.from(c.createStatement(sql).bind(0, parameter).execute())
            .flatMap(r -> r.map((row, meta) -> Optional.ofNullable(column.apply(row))))
            .collect(Collectors.toCollection(ArrayList::new)),
        Connection::close).block(TIMEOUT);
    return rows;
  }
}
