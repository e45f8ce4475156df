namespace VideoAspire.Api.Channels;

/// <summary>
/// The channels one read asks for, from its <c>channel_id</c>, <c>handle</c> and <c>channel</c> parameters (any mix, in
/// that order, duplicates by normalised key dropped), or the 400's errors by parameter and position. A malformed value
/// is never echoed back.
/// </summary>
public static class ChannelQuery
{
    public static readonly string InvalidIdMessage = "channel_id must be a YouTube channel id: 'UC' followed by 22 letters, digits, '-' or '_'.";

    public static readonly string InvalidReferenceMessage = "Not a channel this service can look up. Accepted: " + ChannelReference.AcceptedForms + ".";

    public static readonly string MissingMessage = "channel_id, handle or channel is required.";

    public static (IReadOnlyList<RequestedChannel> Channels, Dictionary<string, string[]> Errors) Parse(
        string[]? channelIds, string[]? handles, string[]? channels)
    {
        var requested = new List<RequestedChannel>();
        var errors = new Dictionary<string, string[]>();
        Add("channel_id", channelIds, static value => ChannelId.IsValid(value) ? ChannelReference.ForId(value) : null, InvalidIdMessage);
        Add("handle", handles, static value => ChannelReference.TryParseHandle(value, out var handle) ? handle : null, InvalidReferenceMessage);
        Add("channel", channels, static value => ChannelReference.TryParse(value, out var channel) ? channel : null, InvalidReferenceMessage);
        if (requested.Count == 0 && errors.Count == 0)
        {
            errors["channel_id"] = [MissingMessage];
        }

        var distinct = requested.DistinctBy(channel => channel.Key, StringComparer.Ordinal).ToList();
        return (distinct, errors);

        void Add(string parameter, string[]? values, Func<string, ChannelReference?> parse, string message)
        {
            var count = values?.Length ?? 0;
            for (var i = 0; i < count; i++)
            {
                if (parse(values![i]) is { } reference)
                {
                    requested.Add(new RequestedChannel(reference));
                }
                else
                {
                    // One value: named by the parameter alone; several: by position too.
                    errors[count == 1 ? parameter : $"{parameter}[{i}]"] = [string.IsNullOrEmpty(values[i]) ? $"{parameter} is empty." : message];
                }
            }
        }
    }
}
