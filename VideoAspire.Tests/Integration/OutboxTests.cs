using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using VideoAspire.Data;
using VideoAspire.Tests.Infrastructure;

namespace VideoAspire.Tests.Integration;

/// <summary>
/// The transactional outbox: every change the one writer makes to a stored video records its event in the same
/// statement, against a real PostgreSQL, without the AppHost.
/// </summary>
[Collection(StoresCollection.Name)]
public sealed class OutboxTests(StoresFixture stores)
{
    private static readonly DateTimeOffset Published = new(2026, 2, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_new_video_is_published_once_a_title_change_is_an_update_and_a_deletion_is_announced()
    {
        var channelId = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        var now = DateTimeOffset.UtcNow;

        await WriteAsync(Snapshot(channelId, now, new FetchedVideo(videoId, "First title", Published)));
        await WriteAsync(Snapshot(channelId, now.AddMinutes(1), new FetchedVideo(videoId, "First title", Published))); // stored again
        await WriteAsync(Snapshot(channelId, now.AddMinutes(2), new FetchedVideo(videoId, "Better title", Published)));
        await WriteAsync(Snapshot(channelId, now.AddMinutes(3)) with { RemovedVideoIds = [videoId] });

        Assert.Equal(
            [(VideoEventType.Published, "First title"), (VideoEventType.Updated, "Better title"), (VideoEventType.Deleted, "Better title")],
            await EventsAsync(channelId));
    }

    [Fact]
    public async Task An_older_write_that_changes_nothing_records_nothing()
    {
        var channelId = TestCatalog.NewChannelId();
        var videoId = TestCatalog.NewVideoId();
        var now = DateTimeOffset.UtcNow;
        await WriteAsync(Snapshot(channelId, now, new FetchedVideo(videoId, "Current", Published)));

        await WriteAsync(Snapshot(channelId, now.AddMinutes(-5), new FetchedVideo(videoId, "Stale", Published)));

        Assert.Equal([(VideoEventType.Published, "Current")], await EventsAsync(channelId));
    }

    [Fact]
    public async Task A_rolled_back_write_records_no_event()
    {
        var channelId = TestCatalog.NewChannelId();
        var videos = new[] { (channelId, new FetchedVideo(TestCatalog.NewVideoId(), "Never committed", Published)) };
        await using var connection = await stores.Database.OpenConnectionAsync();
        await using (var transaction = await connection.BeginTransactionAsync())
        {
            await ChannelUpsert.RunAsync(connection, [new ChannelUpsert.Channel(channelId, "Channel", DateTime.UtcNow, null, Revive: false)],
                videos, CancellationToken.None);
            // Inside the transaction the event is there, with its change...
            Assert.Equal(1L, await new NpgsqlCommand($"SELECT count(*) FROM video_events WHERE channel_id = '{channelId}'", connection, transaction).ExecuteScalarAsync());
            await transaction.RollbackAsync();
        }

        // ...and with the change rolled back, so is the event.
        Assert.Empty(await EventsAsync(channelId));
        Assert.Equal(0L, await stores.Database.ScalarAsync<long>("SELECT count(*) FROM videos WHERE channel_id = $1", channelId));
    }

    [Fact]
    public async Task Writes_racing_to_store_the_same_new_videos_publish_each_once()
    {
        var channelId = TestCatalog.NewChannelId();
        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow.AddMinutes(-1)));
        var videos = Enumerable.Range(0, 20).Select(i => new FetchedVideo(TestCatalog.NewVideoId(), $"Upload {i}", Published.AddHours(i))).ToArray();

        // A refresh and a push (different source times) store the same uploads at the same moment, many times over.
        var now = DateTimeOffset.UtcNow;
        await Task.WhenAll(Enumerable.Range(0, 6).Select(i => WriteAsync(Snapshot(channelId, now.AddMilliseconds(i), videos))));

        var events = await EventsAsync(channelId);
        Assert.Equal(videos.Length, events.Count);
        Assert.All(events, e => Assert.Equal(VideoEventType.Published, e.Type));
    }

    [Fact]
    public async Task Events_older_than_the_retention_are_pruned_and_newer_ones_kept()
    {
        var channelId = TestCatalog.NewChannelId();
        var old = TestCatalog.NewVideoId();
        await WriteAsync(Snapshot(channelId, DateTimeOffset.UtcNow,
            new FetchedVideo(old, "Long ago", Published), new FetchedVideo(TestCatalog.NewVideoId(), "Lately", Published.AddDays(1))));
        await stores.Database.ExecuteAsync("UPDATE video_events SET occurred_at = now() - interval '8 days' WHERE video_id = $1", old);

        await using (var scope = stores.Services.Services.CreateAsyncScope())
        {
            var job = new Worker.Jobs.OutboxPruneJob(scope.ServiceProvider.GetRequiredService<VideosDbContext>(), TimeProvider.System,
                Microsoft.Extensions.Options.Options.Create(new Worker.Jobs.WorkerOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<Worker.Jobs.OutboxPruneJob>.Instance);
            await job.Execute(null!, CancellationToken.None);
        }

        Assert.Equal([(VideoEventType.Published, "Lately")], await EventsAsync(channelId));
    }

    private static ChannelSnapshot Snapshot(string channelId, DateTimeOffset fetchedAt, params FetchedVideo[] videos) =>
        new(channelId, "Channel", videos, "data-api", fetchedAt);

    private async Task WriteAsync(ChannelSnapshot snapshot)
    {
        await using var scope = stores.Services.Services.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<ChannelWriter>().WriteAsync(snapshot, WriteOrigin.YouTube, CancellationToken.None);
    }

    private async Task<List<(string Type, string Title)>> EventsAsync(string channelId)
    {
        await using var command = stores.Database.CreateCommand("SELECT type, title FROM video_events WHERE channel_id = $1 ORDER BY id");
        command.Parameters.AddWithValue(channelId);
        await using var reader = await command.ExecuteReaderAsync();
        var events = new List<(string, string)>();
        while (await reader.ReadAsync())
        {
            events.Add((reader.GetString(0), reader.GetString(1)));
        }

        return events;
    }
}
