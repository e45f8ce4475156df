namespace VideoAspire;

/// <summary>Names of the Aspire resources, shared by the AppHost, the services and the tests.</summary>
public static class ResourceNames
{
    /// <summary>Redis connection: latest-five cache and output cache.</summary>
    public const string Cache = "cache";

    /// <summary>PostgreSQL database connection.</summary>
    public const string Database = "videosdb";

    public const string Api = "api";
    public const string Worker = "worker";
    public const string Migrations = "migrations";
}
