using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using VideoAspire.Api.Streaming;
using VideoAspire.Data;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>
/// The live streams' reader of the outbox against a real PostgreSQL: an event whose transaction stays open while a later
/// one commits is still sent when it commits, however long it took (a gap is passed over only when it is final).
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class VideoEventFeedTests(StoresFixture stores)
{
    [Fact]
    public async Task An_event_committed_seconds_after_a_later_one_still_reaches_the_streams()
    {
        var (early, late) = (TestCatalog.NewChannelId(), TestCatalog.NewChannelId());
        using var feed = new VideoEventFeed(stores.Services.Services.GetRequiredService<IServiceScopeFactory>(),
            Options.Create(new StreamingOptions { PollInterval = TimeSpan.FromMilliseconds(50) }), TimeProvider.System,
            NullLogger<VideoEventFeed>.Instance);
        await feed.StartAsync(CancellationToken.None);
        try
        {
            // The feed places itself at the outbox's end on its first poll: a marker event reaching the listener says
            // it has, and that it polls.
            var marker = TestCatalog.NewChannelId();
            using var listener = feed.Listen(new HashSet<string> { early, late, marker }, VideoKind.All);
            await TestCatalog.EventuallyAsync(async () =>
            {
                await using (var connection = await stores.Database.OpenConnectionAsync())
                {
                    await WriteAsync(connection, marker);
                }

                using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(1));
                try
                {
                    while ((await listener.Events.ReadAsync(wait.Token)).ChannelId != marker)
                    {
                    }

                    return true;
                }
                catch (OperationCanceledException)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(20), "the feed follows the outbox");
            while (listener.Events.TryRead(out _))
            {
            }

            await using var connection = await stores.Database.OpenConnectionAsync();
            await using var open = await connection.BeginTransactionAsync();
            await WriteAsync(connection, early);
            await using (var other = await stores.Database.OpenConnectionAsync())
            {
                await WriteAsync(other, late);
            }

            var first = await listener.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(late, first.ChannelId);
            await Task.Delay(TimeSpan.FromSeconds(6)); // longer than any gap was once waited for
            await open.CommitAsync();

            var second = await listener.Events.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(early, second.ChannelId);
            Assert.True(second.Id < first.Id);
        }
        finally
        {
            await feed.StopAsync(CancellationToken.None);
        }
    }

    private static Task WriteAsync(Npgsql.NpgsqlConnection connection, string channelId) =>
        ChannelUpsert.RunAsync(connection, [new ChannelUpsert.Channel(channelId, "Channel", DateTime.UtcNow, null, Revive: false)],
            [(channelId, new FetchedVideo(TestCatalog.NewVideoId(), "Upload", DateTimeOffset.UtcNow.AddMinutes(-1)))], CancellationToken.None);
}
