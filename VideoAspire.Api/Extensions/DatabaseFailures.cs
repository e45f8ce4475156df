using System.Net.Sockets;
using Npgsql;

namespace VideoAspire.Api.Extensions;

public static class DatabaseFailures
{
    /// <summary>PostgreSQL cannot be reached right now (as opposed to a bug or bad data).</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } or TimeoutException
        || exception.InnerException is NpgsqlException { IsTransient: true } or SocketException;
}
