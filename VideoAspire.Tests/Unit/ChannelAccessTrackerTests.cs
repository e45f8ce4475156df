using VideoAspire.Api.Videos;

namespace VideoAspire.Tests.Unit;

public sealed class ChannelAccessTrackerTests
{
    private sealed class ManualClock(DateTimeOffset now) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = now;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    [Fact]
    public void A_batch_holds_the_latest_access_per_channel_and_is_taken_once()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new ChannelAccessTracker(clock);

        tracker.RecordAccess("A");
        clock.Now = clock.Now.AddMinutes(1);
        tracker.RecordAccess("A");
        tracker.RecordAccess("B");

        var batch = tracker.TakeBatch();
        Assert.Equal(2, batch.Count);
        Assert.Equal(clock.Now, batch["A"]);
        Assert.Empty(tracker.TakeBatch());
    }

    [Fact]
    public void A_failed_batch_is_restored_without_moving_marks_backwards()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new ChannelAccessTracker(clock);
        tracker.RecordAccess("A");
        var failed = tracker.TakeBatch();

        clock.Now = clock.Now.AddMinutes(5);
        tracker.RecordAccess("A"); // newer access while the write was failing
        tracker.Restore(failed);

        Assert.Equal(clock.Now, tracker.TakeBatch()["A"]);
    }

    [Fact]
    public void Repeated_reads_within_the_resolution_keep_the_first_mark()
    {
        var clock = new ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new ChannelAccessTracker(clock);
        var first = clock.Now;

        tracker.RecordAccess("A");
        clock.Now = clock.Now.AddMilliseconds(500);
        tracker.RecordAccess("A");

        Assert.Equal(first, tracker.TakeBatch()["A"]);
    }

    [Fact]
    public void The_batch_is_bounded_and_counts_what_it_drops()
    {
        var tracker = new ChannelAccessTracker(TimeProvider.System);

        for (var i = 0; i < ChannelAccessTracker.MaxPendingChannels + 25; i++)
        {
            tracker.RecordAccess($"UC{i:D22}");
        }

        Assert.Equal(25, tracker.Dropped);
        Assert.Equal(ChannelAccessTracker.MaxPendingChannels, tracker.TakeBatch().Count);
        tracker.RecordAccess("again");
        Assert.Single(tracker.TakeBatch());
    }
}
