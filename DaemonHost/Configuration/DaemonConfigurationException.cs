namespace DaemonHost.Configuration;

/// <summary>A configuration value, file or flag that is wrong; the message names it.</summary>
public sealed class DaemonConfigurationException : Exception
{
    public DaemonConfigurationException(string message)
        : base(message)
    {
    }

    public DaemonConfigurationException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DaemonConfigurationException()
    {
    }
}
