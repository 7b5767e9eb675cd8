namespace InfraManager.State;

/// <summary>
/// A programmed backend: its address and the 24-bit id that is both its action-profile member id and
/// its write_dest_ip_table key (mod_blob_ptr_dnat).
/// </summary>
internal sealed record Backend(BackendAddress Address, uint MemberId);
