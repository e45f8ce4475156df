namespace VideoAspire.Api.WebSub;

/// <summary>What a notification came to.</summary>
public enum NotificationOutcome { Accepted, BadSignature, Malformed, TooLarge, NotSubscribed, UnknownCallback }
