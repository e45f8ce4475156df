using System.Net.Sockets;
using Npgsql;

namespace VideoAspire.Data;

/// <summary>Tells PostgreSQL failures worth retrying later (a server out of reach) from those that would fail again.</summary>
public static class DatabaseFailures
{
    /// <summary>PostgreSQL cannot be reached right now (as opposed to a bug or bad data).</summary>
    public static bool IsUnavailable(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } or TimeoutException
        || exception.InnerException is NpgsqlException { IsTransient: true } or SocketException;

    /// <summary>
    /// Unreachable, a timeout, a deadlock or serialization failure: retry later. Anything else (data PostgreSQL refuses, a
    /// bug) is not, and must not block the work behind it. <paramref name="alsoTransient"/> adds another dependency's
    /// failures (Redis's, for work that uses both), checked at every level of the exception tree.
    /// </summary>
    public static bool IsTransient(Exception exception, Func<Exception, bool>? alsoTransient = null) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0
            && aggregate.InnerExceptions.All(inner => IsTransient(inner, alsoTransient)),
        _ when alsoTransient?.Invoke(exception) == true => true,
        TimeoutException or SocketException => true,
        // Classes 08 connection, 40 transaction rollback, 53 insufficient resources, 57 operator intervention, 58 system.
        PostgresException postgres => postgres.SqlState[..2] is "08" or "40" or "53" or "57" or "58",
        NpgsqlException { IsTransient: true } => true,
        _ => exception.InnerException is { } inner && IsTransient(inner, alsoTransient),
    };
}
