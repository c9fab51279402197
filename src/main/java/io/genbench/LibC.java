package io.genbench;

import java.lang.invoke.MethodHandle;
import java.lang.reflect.Array;
import java.util.Optional;

/**
 * A C library function returning {@code int}, as a method handle through the Foreign Function API (final from Java 22;
 * reached by reflection so the code compiles for and runs on Java 21, where it is a preview and this returns null).
 */
public final class LibC {
  private LibC() {}

  /**
   * The default lookup's {@code name} taking arguments of the given {@code java.lang.foreign.ValueLayout} constants
   * ("JAVA_INT", "JAVA_LONG", "ADDRESS", …) and returning {@code int}; null where the runtime, the platform or the
   * library lacks it.
   */
  public static MethodHandle function(String name, String... argLayouts) {
    try {
      Class<?> linkerType = Class.forName("java.lang.foreign.Linker");
      Class<?> lookupType = Class.forName("java.lang.foreign.SymbolLookup");
      Class<?> layoutType = Class.forName("java.lang.foreign.MemoryLayout");
      Class<?> descriptorType = Class.forName("java.lang.foreign.FunctionDescriptor");
      Class<?> segmentType = Class.forName("java.lang.foreign.MemorySegment");
      Class<?> optionType = Class.forName("java.lang.foreign.Linker$Option");
      Class<?> valueLayoutType = Class.forName("java.lang.foreign.ValueLayout");
      Object linker = linkerType.getMethod("nativeLinker").invoke(null);
      Object lookup = linkerType.getMethod("defaultLookup").invoke(linker);
      Optional<?> symbol = (Optional<?>) lookupType.getMethod("find", String.class).invoke(lookup, name);
      if (symbol.isEmpty()) return null;
      Object args = Array.newInstance(layoutType, argLayouts.length);
      for (int i = 0; i < argLayouts.length; i++) Array.set(args, i, valueLayoutType.getField(argLayouts[i]).get(null));
      Object descriptor = descriptorType.getMethod("of", layoutType, args.getClass())
          .invoke(null, valueLayoutType.getField("JAVA_INT").get(null), args);
      return (MethodHandle) linkerType.getMethod("downcallHandle", segmentType, descriptorType, optionType.arrayType())
          .invoke(linker, symbol.get(), descriptor, Array.newInstance(optionType, 0));
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      return null;
    }
  }
}
