namespace VideoAspire.AppHost;

/// <summary>Whether Aspire can start containers here: the client alone is not enough, the engine must answer.</summary>
internal static class ContainerRuntime
{
    public static bool IsHealthy()
    {
        // Aspire's own setting for choosing Podman over Docker.
        var runtime = Environment.GetEnvironmentVariable("ASPIRE_CONTAINER_RUNTIME")
            ?? Environment.GetEnvironmentVariable("DOTNET_ASPIRE_CONTAINER_RUNTIME")
            ?? "docker";
        return HostProcess.Run(runtime, ["info", "--format", "{{.ServerVersion}}"], TimeSpan.FromSeconds(10), out _) == 0;
    }
}
