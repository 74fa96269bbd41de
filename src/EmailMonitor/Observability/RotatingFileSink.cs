using System.Globalization;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace EmailMonitor.Observability;

/// <summary>
/// Writes log events to a file whose name never changes (so <c>tail -f logs/security.log</c>
/// keeps working) and rolls it to <c>name.1</c>, <c>name.2</c>… when it grows past a size or a
/// new UTC day begins, keeping a bounded number of old files. Each event is flushed at once.
/// </summary>
internal sealed class RotatingFileSink : ILogEventSink, IDisposable
{
    private readonly string _path;
    private readonly ITextFormatter _formatter;
    private readonly long _maxBytes;
    private readonly int _retainedFiles;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private StreamWriter? _writer;
    private DateOnly _openedOn;

    public RotatingFileSink(string path, ITextFormatter formatter, long maxBytes, int retainedFiles, TimeProvider time)
    {
        _path = Path.GetFullPath(path);
        _formatter = formatter;
        _maxBytes = maxBytes;
        _retainedFiles = retainedFiles;
        _time = time;
        PrivateFiles.CreateDirectory(Path.GetDirectoryName(_path)!);
    }

    public void Emit(LogEvent logEvent)
    {
        lock (_gate)
        {
            var today = DateOnly.FromDateTime(_time.GetUtcNow().UtcDateTime);
            if (_writer is null)
            {
                Open(today);
            }
            else if (_writer.BaseStream.Length >= _maxBytes || today != _openedOn)
            {
                Roll(today);
            }

            _formatter.Format(logEvent, _writer!);
            _writer!.Flush();
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _writer?.Dispose();
            _writer = null;
        }
    }

    private void Open(DateOnly today)
    {
        var stream = new FileStream(_path, PrivateFiles.Create(FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete));
        PrivateFiles.Restrict(_path);
        _writer = new StreamWriter(stream) { AutoFlush = false };
        _openedOn = File.Exists(_path) && stream.Length > 0
            ? DateOnly.FromDateTime(File.GetLastWriteTimeUtc(_path))
            : today;
    }

    private void Roll(DateOnly today)
    {
        _writer!.Dispose();
        _writer = null;
        File.Delete(Numbered(_retainedFiles));
        for (var i = _retainedFiles - 1; i >= 1; i--)
        {
            if (File.Exists(Numbered(i)))
            {
                File.Move(Numbered(i), Numbered(i + 1), overwrite: true);
            }
        }

        File.Move(_path, Numbered(1), overwrite: true);
        Open(today);
    }

    private string Numbered(int index) => _path + "." + index.ToString(CultureInfo.InvariantCulture);
}
