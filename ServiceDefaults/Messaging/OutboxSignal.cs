using Relief.ServiceDefaults.Concurrency;

namespace Relief.ServiceDefaults.Messaging;

/// <summary>
/// Wakes the relay as soon as a unit of work commits events, so publishing does not wait for the next poll.
/// The poll stays as the safety net for events committed by another instance or before a restart.
/// </summary>
public sealed class OutboxSignal : WakeSignal;
