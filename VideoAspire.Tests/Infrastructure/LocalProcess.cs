using System.Diagnostics;

namespace VideoAspire.Tests.Infrastructure;

/// <summary>Starting the servers the tests run as local processes (redis-server, PostgreSQL), and short commands.</summary>
public static class LocalProcess
{
    /// <summary>A long-running server; its output is drained so that it never blocks on a full pipe.</summary>
    public static Process Start(params string[] command)
    {
        var process = Process.Start(Command(command)) ?? throw new InvalidOperationException($"{command[0]} did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A command run to completion; throws with its output when it fails.</summary>
    public static async Task RunAsync(params string[] command)
    {
        using var process = Process.Start(Command(command))!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{string.Join(' ', command)} exited {process.ExitCode}: {await output}{await error}");
        }
    }

    /// <summary>PostgreSQL refuses to run as root: as root, a command runs as the postgres user.</summary>
    public static string[] AsPostgres(params string[] command) =>
        Environment.IsPrivilegedProcess ? ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--", .. command] : command;

    public static ProcessStartInfo Command(string[] command)
    {
        var start = new ProcessStartInfo(command[0]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in command[1..])
        {
            start.ArgumentList.Add(argument);
        }

        return start;
    }

    /// <summary>The PostgreSQL server binaries, or null where they are not installed.</summary>
    public static string? FindBinDirectory() =>
        (Directory.Exists("/usr/lib/postgresql") ? Directory.GetDirectories("/usr/lib/postgresql") : [])
        .Select(version => Path.Combine(version, "bin"))
        .OrderByDescending(path => int.TryParse(Path.GetFileName(Path.GetDirectoryName(path)), out var v) ? v : 0)
        .FirstOrDefault(bin => File.Exists(Path.Combine(bin, "pg_basebackup")) && File.Exists(Path.Combine(bin, "postgres")));

    /// <summary>A loopback port free now.</summary>
    /// <summary>A free loopback port never handed out before in this process (the AppHosts' servers draw from the same).</summary>
    public static int FreePort() => VideoAspire.AppHost.HostProcess.FreeLoopbackPort();
}
