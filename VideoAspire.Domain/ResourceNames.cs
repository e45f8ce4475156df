namespace VideoAspire;

/// <summary>Names of the Aspire resources, shared by the AppHost, the services and the tests.</summary>
/// <remarks>The AppHost compiles this file in (it must not reference the services' libraries) and keeps its copy internal.</remarks>
#if APPHOST
internal
#else
public
#endif
static class ResourceNames
{
    /// <summary>Redis connection: latest-five cache and output cache.</summary>
    public const string Cache = "cache";

    /// <summary>Optional Redis connection for the hand-off stream alone; default: the cache's.</summary>
    public const string Queue = "queue";

    /// <summary>PostgreSQL database connection.</summary>
    public const string Database = "videosdb";

    /// <summary>Optional PostgreSQL read replica for the Api's read path; default: the database itself.</summary>
    public const string DatabaseReplica = "videosdb-read";

    public const string Api = "api";
    public const string Worker = "worker";
    public const string Migrations = "migrations";
}
