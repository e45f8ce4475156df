using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VideoAspire.AppHost;

/// <summary>Small helpers for running things on this machine: a free loopback port, a short command.</summary>
public static class HostProcess
{
    /// <summary>Ports handed out by this process: servers started at once (two AppHosts in one test run) must not get the
    /// same one between the moment it is found free and the moment the server binds it.</summary>
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<int, byte> HandedOut = new();

    /// <summary>
    /// A loopback port nothing listens on, below the kernel's ephemeral range (32768 and up on Linux): a port from that
    /// range, found free and released, can be taken by any outgoing connection before the server binds it.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        while (true)
        {
            var port = Random.Shared.Next(20_000, 32_000);
            if (!HandedOut.TryAdd(port, 0))
            {
                continue;
            }

            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return port;
            }
            catch (SocketException)
            {
                // In use: another one.
            }
        }
    }

    /// <summary>Runs a short command and returns its exit code, or -1 when it cannot start or does not finish in time.</summary>
    internal static int Run(string fileName, IEnumerable<string> arguments, TimeSpan timeout, out string output)
    {
        output = "";
        var startInfo = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        try
        {
            using var process = Process.Start(startInfo)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                return -1;
            }

            output = stdout.Result + stderr.Result;
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1;
        }
    }
}
