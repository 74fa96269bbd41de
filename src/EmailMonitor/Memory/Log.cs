namespace EmailMonitor.Memory;

internal static partial class Log
{
    [LoggerMessage(EventId = 14001, Level = LogLevel.Debug, Message = "Native heap trimmed after {CompiledMethods} compiled methods, in {Milliseconds:F1} ms")]
    public static partial void NativeHeapTrimmed(this ILogger logger, long compiledMethods, double milliseconds);

    [LoggerMessage(EventId = 14002, Level = LogLevel.Debug, Message = "The C library here cannot trim its heap; the native heap keeps its free pages")]
    public static partial void NativeHeapTrimUnavailable(this ILogger logger);
}
