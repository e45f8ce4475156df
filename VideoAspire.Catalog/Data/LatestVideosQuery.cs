using Microsoft.EntityFrameworkCore;

namespace VideoAspire.Catalog.Data;

/// <summary>The read the whole service exists for, compiled once: a seek on ix_videos_channel_latest.</summary>
public static class LatestVideosQuery
{
    private static readonly Func<VideosDbContext, string, IAsyncEnumerable<LatestVideo>> Latest =
        EF.CompileAsyncQuery((VideosDbContext db, string channelId) => db.Videos
            .AsNoTracking()
            .Where(v => v.ChannelId == channelId)
            .OrderByDescending(v => v.PublishedAt)
            .ThenByDescending(v => v.VideoId)
            .Take(LatestVideo.Count)
            .Select(v => LatestVideo.Create(v.VideoId, v.Title, v.PublishedAt)));

    private static readonly Func<VideosDbContext, string, Task<bool>> Exists =
        EF.CompileAsyncQuery((VideosDbContext db, string channelId) => db.Channels.Any(c => c.Id == channelId));

    /// <summary>The channel's newest videos, or null when the channel is not stored at all.</summary>
    public static async Task<IReadOnlyList<LatestVideo>?> GetLatestVideosAsync(
        this VideosDbContext db, string channelId, CancellationToken cancellationToken)
    {
        var videos = new List<LatestVideo>(LatestVideo.Count);
        await foreach (var video in Latest(db, channelId).WithCancellation(cancellationToken))
        {
            videos.Add(video);
        }

        // A second round trip only for the rare empty answer: "no videos" and "unknown" differ (200 [] vs 404).
        if (videos.Count == 0 && !await Exists(db, channelId))
        {
            return null;
        }

        return videos;
    }
}
