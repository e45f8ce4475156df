namespace VideoAspire.AppHost;

/// <summary>How Redis and PostgreSQL are provided. <see cref="Auto"/> picks the first that works, in this order.</summary>
public enum InfrastructureMode
{
    /// <summary>Existing servers where ConnectionStrings__cache / __videosdb are set; else containers; else local processes.</summary>
    Auto,
    Containers,
    LocalProcesses,
}
