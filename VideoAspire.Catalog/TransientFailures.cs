using System.Net.Sockets;
using Npgsql;
using StackExchange.Redis;

namespace VideoAspire.Catalog;

/// <summary>Tells failures worth retrying later (a server out of reach) from those that would fail the same way again.</summary>
public static class TransientFailures
{
    /// <summary>PostgreSQL cannot be reached right now (as opposed to a bug or bad data).</summary>
    public static bool IsDatabaseUnavailable(Exception exception) =>
        exception is NpgsqlException { IsTransient: true } or TimeoutException
        || exception.InnerException is NpgsqlException { IsTransient: true } or SocketException;

    /// <summary>
    /// Redis did not do it: unreachable, timed out, or the command refused, by the server or by the client before sending
    /// it (<see cref="RedisCommandException"/> is not a <see cref="RedisException"/>: a disabled command, keys of
    /// different slots on a cluster). Everywhere Redis is an accelerator, such a failure is a miss or a skipped write.
    /// </summary>
    public static bool IsRedisFailure(Exception exception) =>
        exception is RedisException or RedisCommandException or TimeoutException;

    /// <summary>
    /// PostgreSQL or Redis unreachable, a timeout, a deadlock or serialization failure: retry later. Anything else (data
    /// PostgreSQL refuses, a bug) is not, and must not block the work behind it.
    /// </summary>
    public static bool IsTransient(Exception exception) => exception switch
    {
        AggregateException aggregate => aggregate.InnerExceptions.Count > 0 && aggregate.InnerExceptions.All(IsTransient),
        _ when IsRedisFailure(exception) => true,
        SocketException => true,
        // Classes 08 connection, 40 transaction rollback, 53 insufficient resources, 57 operator intervention, 58 system.
        PostgresException postgres => postgres.SqlState[..2] is "08" or "40" or "53" or "57" or "58",
        NpgsqlException { IsTransient: true } => true,
        _ => exception.InnerException is { } inner && IsTransient(inner),
    };
}
