using System.Collections.Concurrent;
using System.Diagnostics;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>
/// A real service process (the built VideoAspire.Worker or VideoAspire.Api) that a test starts with settings of its
/// own, reads the console log of, and kills (SIGKILL: no shutdown, no chance to finish or hand back what it was doing).
/// </summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _log = new();

    private ServiceProcess(Process process) => _process = process;

    public static ServiceProcess StartWorker(IReadOnlyDictionary<string, string> settings) => Start("VideoAspire.Worker.dll", settings);

    public static ServiceProcess StartApi(IReadOnlyDictionary<string, string> settings) => Start("VideoAspire.Api.dll", settings);

    private static ServiceProcess Start(string assembly, IReadOnlyDictionary<string, string> settings)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { Path.Combine(AppContext.BaseDirectory, assembly) },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var name in start.Environment.Keys.Where(name => name.StartsWith("OTEL_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name); // no collector: the exporter would only retry
        }

        start.Environment["DOTNET_ENVIRONMENT"] = "Development";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0"; // unless the settings say where
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__TimestampFormat"] = "HH:mm:ss.fff ";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        foreach (var (key, value) in settings)
        {
            start.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{assembly} did not start.");
        var service = new ServiceProcess(process);
        process.OutputDataReceived += (_, line) => service.Keep(line.Data);
        process.ErrorDataReceived += (_, line) => service.Keep(line.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return service;
    }

    /// <summary>Log lines so far that contain the text.</summary>
    public int LogLines(string text) => _log.Count(line => line.Contains(text, StringComparison.Ordinal));

    public string Log => string.Join('\n', _log);

    public bool HasExited => _process.HasExited;

    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is not null)
        {
            _log.Enqueue(line);
        }
    }
}
