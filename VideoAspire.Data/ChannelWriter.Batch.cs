using Microsoft.EntityFrameworkCore;
using Npgsql;
using VideoAspire.Telemetry;

namespace VideoAspire.Data;

public sealed partial class ChannelWriter
{
    /// <summary>
    /// Writes many snapshots fetched from YouTube's uploads playlists (<see cref="WriteOrigin.YouTube"/>; not pushed
    /// ones, which carry deletions and are not refreshes, nor ones that read kind playlists:
    /// <see cref="WriteAsync"/> writes those; <see cref="CanBatch"/> tells them apart) with one statement, hence one round
    /// trip and one commit, under the same rules as <see cref="WriteAsync"/>: a row changes only for a write at least as
    /// new as the one that wrote it, a deleted channel is not revived, a video never moves between channels, and every
    /// channel that changed has its cached answers evicted.
    /// </summary>
    /// <returns>One outcome per snapshot, in the order given (<see cref="ChannelWrite.Applied"/> or
    /// <see cref="ChannelWrite.ChannelDeleted"/>).</returns>
    /// <remarks>
    /// One statement cannot upsert the same row twice, so snapshots that share a channel or a video go to successive
    /// rounds (oldest first); usually there is one. All rounds commit together: either the whole batch is written or none.
    /// </remarks>
    public async Task<IReadOnlyList<ChannelWrite>> WriteFetchedAsync(IReadOnlyList<ChannelSnapshot> snapshots, CancellationToken cancellationToken)
    {
        using var activity = VideoAspireTelemetry.ActivitySource.StartActivity("write fetched channels");
        activity?.SetTag("videoaspire.snapshot_count", snapshots.Count);
        var outcomes = new ChannelWrite[snapshots.Count];
        var rounds = SplitIntoRounds(snapshots);

        var strategy = db.Database.CreateExecutionStrategy();
        await strategy.ExecuteAsync(async () =>
        {
            await db.Database.OpenConnectionAsync(cancellationToken);
            try
            {
                var connection = (NpgsqlConnection)db.Database.GetDbConnection();
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                foreach (var round in rounds)
                {
                    await WriteRoundAsync(connection, snapshots, round, outcomes, cancellationToken);
                }

                await transaction.CommitAsync(cancellationToken);
            }
            finally
            {
                await db.Database.CloseConnectionAsync();
            }
        });

        // Evictions of every changed channel at once: pipelined on the one Redis connection.
        var written = snapshots.Zip(outcomes, (snapshot, outcome) => (snapshot.ChannelId, Outcome: outcome)).ToList();
        await Task.WhenAll(written
            .Where(w => ChangesCachedAnswers(w.Outcome, WriteOrigin.YouTube))
            .Select(w => w.ChannelId)
            .Distinct(StringComparer.Ordinal)
            .Select(channelId => caches.ChannelChangedAsync(channelId, cancellationToken)));
        foreach (var (channelId, outcome) in written.Where(w => w.Outcome is ChannelWrite.ChannelDeleted))
        {
            LogWriteRefused(channelId, WriteOrigin.YouTube, outcome.GetType().Name);
        }

        return outcomes;
    }

    /// <summary>Whether <see cref="WriteFetchedAsync"/> can write the snapshot (a plain fetch of the channel's uploads).</summary>
    public static bool CanBatch(ChannelSnapshot snapshot) => snapshot.IncludesUploads && !snapshot.KindPlaylists.Any()
        && snapshot.RemovedVideoIds is not { Count: > 0 };

    /// <summary>Indexes of the snapshots per round, oldest snapshots first; no channel or video twice in a round.</summary>
    internal static List<List<int>> SplitIntoRounds(IReadOnlyList<ChannelSnapshot> snapshots)
    {
        var rounds = new List<List<int>>();
        var lastRoundOf = new Dictionary<string, int>(StringComparer.Ordinal); // channel or video id -> last round using it
        foreach (var index in Enumerable.Range(0, snapshots.Count).OrderBy(i => snapshots[i].FetchedAt))
        {
            var snapshot = snapshots[index];
            var keys = snapshot.Videos.Where(v => v is not null && VideoId.IsValid(v.VideoId)).Select(v => "v:" + v.VideoId)
                .Append("c:" + snapshot.ChannelId).Distinct().ToList();
            var round = keys.Select(key => lastRoundOf.TryGetValue(key, out var used) ? used + 1 : 0).DefaultIfEmpty(0).Max();
            if (round == rounds.Count)
            {
                rounds.Add([]);
            }

            rounds[round].Add(index);
            foreach (var key in keys)
            {
                lastRoundOf[key] = round;
            }
        }

        return rounds;
    }

    private static async Task WriteRoundAsync(
        NpgsqlConnection connection, IReadOnlyList<ChannelSnapshot> snapshots, List<int> round, ChannelWrite[] outcomes, CancellationToken cancellationToken)
    {
        // Fetches of the uploads playlist: each is a refresh of its channel, and none may revive a deleted one.
        var channels = round.Select(index => snapshots[index]).Select(snapshot => new ChannelUpsert.Channel(
            snapshot.ChannelId, StoredTitle.Truncate(snapshot.Title ?? ""), snapshot.FetchedAt.UtcDateTime, snapshot.FetchedAt.UtcDateTime, Revive: false)).ToList();
        var videos = round.SelectMany(index => ChannelUpsert.VideosOf(snapshots[index])).ToList();
        var results = await ChannelUpsert.RunAsync(connection, channels, videos, cancellationToken);
        foreach (var index in round)
        {
            var result = results[snapshots[index].ChannelId];
            outcomes[index] = result.Kept ? new ChannelWrite.Applied(result.Changed, result.Created) : new ChannelWrite.ChannelDeleted();
        }
    }
}
