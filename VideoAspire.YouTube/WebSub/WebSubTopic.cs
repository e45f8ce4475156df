namespace VideoAspire.YouTube.WebSub;

/// <summary>The hub topic of a channel: its Atom feed's URL, exactly as YouTube publishes it.</summary>
public static class WebSubTopic
{
    private const string Prefix = "https://www.youtube.com/xml/feeds/videos.xml?channel_id=";

    public static string Of(string channelId) => Prefix + channelId;

    public static bool TryParse(string? topic, out string channelId)
    {
        channelId = topic is not null && topic.StartsWith(Prefix, StringComparison.Ordinal) ? topic[Prefix.Length..] : "";
        return ChannelId.IsValid(channelId);
    }
}
