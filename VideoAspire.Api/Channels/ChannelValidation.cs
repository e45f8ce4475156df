using System.Globalization;
using System.Text.RegularExpressions;

namespace VideoAspire.Api.Channels;

/// <summary>Validates write requests completely before anything is written: every error is reported at once, per field.</summary>
public static partial class ChannelValidation
{
    public const int MaxVideosPerRequest = 500;

    /// <summary>YouTube's first upload; nothing is older.</summary>
    private static readonly DateTimeOffset EarliestUpload = new(2005, 4, 23, 0, 0, 0, TimeSpan.Zero);

    public static Dictionary<string, string[]> ChannelIdErrors(string channelId) =>
        ChannelId.IsValid(channelId)
            ? []
            : new() { ["channelId"] = ["Must be a YouTube channel id: 'UC' followed by 22 letters, digits, '-' or '_'."] };

    public static Dictionary<string, string[]> Validate(string channelId, ChannelRegistration? registration)
    {
        var errors = ChannelIdErrors(channelId);
        if (registration?.Title is { } title && TitleError(title) is { } error)
        {
            errors["title"] = [error];
        }

        return errors;
    }

    public static Dictionary<string, string[]> Validate(string channelId, VideoBatch? batch, TimeProvider time, out List<FetchedVideo> videos)
    {
        var errors = ChannelIdErrors(channelId);
        videos = [];
        if (batch?.Videos is not { Count: > 0 } items)
        {
            errors["videos"] = ["At least one video is required."];
            return errors;
        }

        if (items.Count > MaxVideosPerRequest)
        {
            errors["videos"] = [$"At most {MaxVideosPerRequest} videos per request ({items.Count} given)."];
            return errors;
        }

        var latestAllowed = time.GetUtcNow().AddDays(1);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var field = $"videos[{i}]";
            if (item is null)
            {
                errors[field] = ["A video object is required."];
                continue;
            }

            if (item.VideoId is null || !VideoId.IsValid(item.VideoId))
            {
                errors[$"{field}.video_id"] = [$"Must be a YouTube video id: {VideoId.Length} letters, digits, '-' or '_'."];
            }
            else if (!seen.Add(item.VideoId))
            {
                errors[$"{field}.video_id"] = [$"Duplicate of an earlier video in this request ({item.VideoId})."];
            }

            if (item.VideoTitle is null)
            {
                errors[$"{field}.video_title"] = ["Required."];
            }
            else if (TitleError(item.VideoTitle) is { } titleError)
            {
                errors[$"{field}.video_title"] = [titleError];
            }

            if (!TryParseInstant(item.PublishedAt, out var publishedAt))
            {
                errors[$"{field}.published_at"] = ["Must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T18:30:00Z."];
            }
            else if (publishedAt < EarliestUpload || publishedAt > latestAllowed)
            {
                errors[$"{field}.published_at"] = ["Must lie between 2005-04-23 (YouTube's first upload) and tomorrow."];
            }

            if (errors.Count == 0)
            {
                videos.Add(new FetchedVideo(item.VideoId!, item.VideoTitle!, publishedAt));
            }
        }

        return errors;
    }

    /// <summary>The videos of a batch <see cref="Validate(string, VideoBatch?, TimeProvider, out List{FetchedVideo})"/> accepted.</summary>
    public static List<FetchedVideo> ToVideos(VideoBatch batch) =>
        batch.Videos!.Select(item => new FetchedVideo(item!.VideoId!, item.VideoTitle!,
            TryParseInstant(item.PublishedAt, out var publishedAt) ? publishedAt : throw new ArgumentException("Not validated.", nameof(batch)))).ToList();

    private static string? TitleError(string title) =>
        title.Length > StoredTitle.MaxLength ? $"At most {StoredTitle.MaxLength} characters."
        : title.Any(char.IsControl) ? "Must not contain control characters."
        : null;

    private static bool TryParseInstant(string? value, out DateTimeOffset instant)
    {
        instant = default;
        // An offset is required: a bare local time would be read in whatever zone the server runs in.
        return value is not null
               && Rfc3339Pattern().IsMatch(value)
               && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.None, out instant);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d{1,7})?([Zz]|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339Pattern();
}
