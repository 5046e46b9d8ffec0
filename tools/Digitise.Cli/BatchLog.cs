using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;

namespace Digitise.Cli;

/// <summary>
/// The per-batch log: <c>OUT/digitise.log</c>, one line per event (UTC time, level, event id and name, category, message),
/// information and above whatever the console shows, appended on each run of the batch. Messages are the libraries'
/// <c>[LoggerMessage]</c> templates, which carry ids, counts, statuses and reasons, never patient data (a test scans a
/// sample run's log for every identifier in the samples' MPI).
/// </summary>
internal sealed class BatchLogProvider : ILoggerProvider
{
    public const string FileName = "digitise.log";

    private readonly StreamWriter _writer;
    private readonly ConcurrentDictionary<string, BatchLogger> _loggers = new(StringComparer.Ordinal);
    private readonly TimeProvider _time;

    public BatchLogProvider(string path, TimeProvider? time = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _writer = new StreamWriter(new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        _time = time ?? TimeProvider.System;
        FilePath = path;
    }

    public string FilePath { get; }

    public ILogger CreateLogger(string categoryName) => _loggers.GetOrAdd(categoryName, name => new BatchLogger(this, name));

    public void Dispose()
    {
        lock (_writer)
        {
            _writer.Dispose();
        }
    }

    private void Write(LogLevel level, EventId eventId, string category, string message, Exception? exception)
    {
        string line = string.Create(CultureInfo.InvariantCulture,
            $"{_time.GetUtcNow():yyyy-MM-ddTHH:mm:ss.fffZ} {Level(level)} [{eventId.Id}{(eventId.Name is { Length: > 0 } name ? " " + name : string.Empty)}] {category}: {OneLine(message)}");
        if (exception is not null)
        {
            // The exception's type only: its message can quote input (a file name, a value) and the stack is for debugging.
            line += " (" + exception.GetType().Name + ")";
        }

        lock (_writer)
        {
            _writer.WriteLine(line);
        }
    }

    private static string Level(LogLevel level) => level switch
    {
        LogLevel.Trace => "trce",
        LogLevel.Debug => "dbug",
        LogLevel.Information => "info",
        LogLevel.Warning => "warn",
        LogLevel.Error => "fail",
        LogLevel.Critical => "crit",
        _ => "none",
    };

    private static string OneLine(string message) => message.ReplaceLineEndings(" ");

    private sealed class BatchLogger(BatchLogProvider provider, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                provider.Write(logLevel, eventId, category, formatter(state, exception), exception);
            }
        }
    }
}
