namespace VideoAspire.Domain;

/// <summary>What happened to a stored video, as its outbox event (and later its webhook and stream event) names it.</summary>
public static class VideoEventType
{
    /// <summary>A video stored for the first time.</summary>
    public const string Published = "video.published";

    /// <summary>A stored video's title or publish time changed.</summary>
    public const string Updated = "video.updated";

    /// <summary>A stored video was deleted (YouTube said so).</summary>
    public const string Deleted = "video.deleted";
}
