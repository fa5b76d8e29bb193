package dev.rollback.volumes;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * How an archive's tar stream is compressed: gzip ({@code .tar.gz}) or zstd ({@code .tar.zst}).
 *
 * <p>gzip is written in parallel 1 MiB blocks, each a complete gzip member (pigz-style; any gzip reader reads the
 * concatenation as one stream), on {@link #threads()} threads. zstd needs {@code com.github.luben:zstd-jni} on the
 * class path (an optional dependency of this module) and uses its own worker threads.
 *
 * <p>Immutable. Defaults: {@link #gzip()} is level 6 (what {@code gzip} and {@code tar czf} use), {@link #zstd()}
 * level 3 (what {@code zstd} and {@code tar --zstd} use); threads = available processors.
 */
public final class Compression {
  /** The two formats. */
  public enum Format {
    /** gzip, {@code .tar.gz}. */
    GZIP(".tar.gz"),
    /** zstd, {@code .tar.zst}. */
    ZSTD(".tar.zst");

    private final String extension;

    Format(String extension) {
      this.extension = extension;
    }

    /** @return the file name suffix: {@code .tar.gz} or {@code .tar.zst} */
    public String extension() {
      return extension;
    }
  }

  private static final int BLOCK = 1 << 20;
  private static final int BUFFER = 1 << 16;
  private final Format format;
  private final int level;
  private final int threads;

  private Compression(Format format, int level, int threads) {
    this.format = format;
    this.level = level;
    this.threads = threads;
  }

  /** @return gzip at level 6 on every available processor */
  public static Compression gzip() {
    return gzip(6);
  }

  /**
   * @param level 1 (fastest) to 9 (smallest)
   * @return gzip at that level on every available processor
   * @throws IllegalArgumentException when the level is outside 1..9
   */
  public static Compression gzip(int level) {
    if (level < 1 || level > 9) {
      throw new IllegalArgumentException("gzip level must be 1..9, was " + level);
    }
    return new Compression(Format.GZIP, level, Runtime.getRuntime().availableProcessors());
  }

  /** @return zstd at level 3 on every available processor */
  public static Compression zstd() {
    return zstd(3);
  }

  /**
   * @param level 1 (fastest) to 19 (smallest)
   * @return zstd at that level on every available processor
   * @throws IllegalArgumentException when the level is outside 1..19
   * @throws IllegalStateException when zstd-jni is not on the class path
   */
  public static Compression zstd(int level) {
    if (level < 1 || level > 19) {
      throw new IllegalArgumentException("zstd level must be 1..19, was " + level);
    }
    requireZstd();
    return new Compression(Format.ZSTD, level, Runtime.getRuntime().availableProcessors());
  }

  /**
   * The compression an archive was written with, read from its name.
   *
   * @param archive a {@code .tar.gz} or {@code .tar.zst} file
   * @return the matching compression at its default level
   * @throws IllegalArgumentException for any other name
   */
  public static Compression forFile(Path archive) {
    String n = archive.getFileName().toString();
    if (n.endsWith(Format.GZIP.extension) || n.endsWith(".tgz")) {
      return gzip();
    }
    if (n.endsWith(Format.ZSTD.extension)) {
      return zstd();
    }
    throw new IllegalArgumentException("cannot tell how " + archive + " is compressed: expected a name ending in "
        + Format.GZIP.extension + " or " + Format.ZSTD.extension);
  }

  /**
   * @param threads compression threads, at least 1; default available processors
   * @return a copy using that many threads
   */
  public Compression withThreads(int threads) {
    if (threads < 1) {
      throw new IllegalArgumentException("threads must be >= 1, was " + threads);
    }
    return new Compression(format, level, threads);
  }

  /** @return gzip or zstd */
  public Format format() {
    return format;
  }

  /** @return the level */
  public int level() {
    return level;
  }

  /** @return compression threads */
  public int threads() {
    return threads;
  }

  /** @return {@code .tar.gz} or {@code .tar.zst} */
  public String extension() {
    return format.extension;
  }

  /** @return e.g. {@code gzip level 6, 2 threads} */
  @Override
  public String toString() {
    return format.name().toLowerCase(java.util.Locale.ROOT) + " level " + level + ", " + threads + " threads";
  }

  /**
   * Wraps a sink in a compressor; closing the compressor finishes the stream and closes the sink.
   *
   * @param sink where compressed bytes go
   * @return the compressing stream
   * @throws IOException when the compressor cannot start
   */
  OutputStream compress(OutputStream sink) throws IOException {
    Objects.requireNonNull(sink, "sink");
    if (format == Format.GZIP) {
      return new ParallelGzipOutputStream(sink, level, threads, BLOCK);
    }
    try {
      Class<?> c = Class.forName("com.github.luben.zstd.ZstdOutputStream");
      Constructor<?> k = c.getConstructor(OutputStream.class, int.class);
      OutputStream z = (OutputStream) k.newInstance(sink, level);
      if (threads > 1) {
        c.getMethod("setWorkers", int.class).invoke(z, threads);
      }
      return z;
    } catch (ReflectiveOperationException e) {
      Throwable t = e.getCause() == null ? e : e.getCause();
      throw new IOException("cannot start the zstd compressor: " + t, t);
    }
  }

  /**
   * Wraps a compressed stream in a decompressor.
   *
   * @param source compressed bytes
   * @return the decompressed stream
   * @throws IOException when the stream's header is not this format's
   */
  InputStream decompress(InputStream source) throws IOException {
    InputStream in = new BufferedInputStream(source, BUFFER);
    if (format == Format.GZIP) {
      return new GZIPInputStream(in, BUFFER);
    }
    try {
      Class<?> c = Class.forName("com.github.luben.zstd.ZstdInputStream");
      return new BufferedInputStream((InputStream) c.getConstructor(InputStream.class).newInstance(in), BUFFER);
    } catch (ReflectiveOperationException e) {
      Throwable t = e.getCause() == null ? e : e.getCause();
      throw new IOException("cannot start the zstd decompressor: " + t, t);
    }
  }

  private static void requireZstd() {
    try {
      Class.forName("com.github.luben.zstd.ZstdOutputStream");
    } catch (ClassNotFoundException e) {
      throw new IllegalStateException("zstd needs com.github.luben:zstd-jni on the class path (an optional "
          + "dependency of rollback-volumes): add it to your build, or use Compression.gzip()");
    }
  }
}
