using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace VideoAspire.AppHost;

/// <summary>Small helpers for running things on this machine: a free loopback port, a short command.</summary>
internal static class HostProcess
{
    internal static int FreeLoopbackPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
