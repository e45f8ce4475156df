using StackExchange.Redis;
using VideoAspire.Redis.Connection;

namespace VideoAspire.Tests.Unit;

/// <summary>Which exceptions mean "Redis did not do it" (a miss or a skipped write), and which are not Redis's.</summary>
public sealed class RedisFailuresTests
{
    [Fact]
    public void The_client_giving_up_on_a_command_is_a_redis_failure()
    {
        Assert.True(RedisFailures.IsFailure(new RedisTimeoutException("timeout", CommandStatus.Sent)));
        Assert.True(RedisFailures.IsFailure(new RedisConnectionException(ConnectionFailureType.SocketClosed, "closed")));
        Assert.True(RedisFailures.IsFailure(new TaskCanceledException("The operation was canceled.")));
    }

    [Fact]
    public void A_request_that_was_cancelled_is_not_a_redis_failure()
    {
        using var aborted = new CancellationTokenSource();
        aborted.Cancel();

        Assert.False(RedisFailures.IsFailure(new TaskCanceledException("aborted", null, aborted.Token)));
        Assert.False(RedisFailures.IsFailure(new OperationCanceledException(aborted.Token)));
        Assert.False(RedisFailures.IsFailure(new InvalidOperationException()));
    }
}
