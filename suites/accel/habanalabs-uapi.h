/* SPDX-License-Identifier: MIT */
/*
 * The part of the habanalabs accel UAPI the accel suite uses, copied from
 * include/uapi/drm/habanalabs_accel.h of Linux 6.12 (Debian's linux-libc-dev
 * 6.1 does not ship that header). Layouts and numbers must not change: they
 * are kernel ABI.
 */
#ifndef HILT_HABANALABS_UAPI_H
#define HILT_HABANALABS_UAPI_H

#include <drm.h>
#include <linux/types.h>

#define HL_INFO_HW_IP_INFO		0

#define HL_INFO_VERSION_MAX_LEN		128
#define HL_INFO_CARD_NAME_MAX_LEN	16

struct hl_info_hw_ip_info {
	__u64 sram_base_address;
	__u64 dram_base_address;
	__u64 dram_size;
	__u32 sram_size;
	__u32 num_of_events;
	__u32 device_id;
	__u32 module_id;
	__u32 decoder_enabled_mask;
	__u16 first_available_interrupt_id;
	__u16 server_type;
	__u32 cpld_version;
	__u32 psoc_pci_pll_nr;
	__u32 psoc_pci_pll_nf;
	__u32 psoc_pci_pll_od;
	__u32 psoc_pci_pll_div_factor;
	__u8 tpc_enabled_mask;
	__u8 dram_enabled;
	__u8 security_enabled;
	__u8 mme_master_slave_mode;
	__u8 cpucp_version[HL_INFO_VERSION_MAX_LEN];
	__u8 card_name[HL_INFO_CARD_NAME_MAX_LEN];
	__u64 tpc_enabled_mask_ext;
	__u64 dram_page_size;
	__u32 edma_enabled_mask;
	__u16 number_of_user_interrupts;
	__u8 reserved1;
	__u8 reserved2;
	__u64 reserved3;
	__u64 device_mem_alloc_default_page_size;
	__u64 reserved4;
	__u64 reserved5;
	__u32 reserved6;
	__u8 reserved7;
	__u8 revision_id;
	__u16 tpc_interrupt_id;
	__u32 rotator_enabled_mask;
	__u32 reserved9;
	__u64 engine_core_interrupt_reg_addr;
	__u64 reserved_dram_size;
};

struct hl_info_args {
	__u64 return_pointer;
	__u32 return_size;
	__u32 op;

	union {
		__u32 dcore_id;
		__u32 ctx_id;
		__u32 period_ms;
		__u32 pll_index;
		__u32 eventfd;
		__u32 user_buffer_actual_size;
		__u32 sec_attest_nonce;
		__u32 array_size;
		__u32 fw_sub_opcode;
	};

	__u32 pad;
};

#define HL_IOCTL_INFO		0x00
#define DRM_IOCTL_HL_INFO	DRM_IOWR(DRM_COMMAND_BASE + HL_IOCTL_INFO, struct hl_info_args)

_Static_assert(sizeof(struct hl_info_args) == 24, "struct hl_info_args is 24 bytes of ABI");
_Static_assert(sizeof(struct hl_info_hw_ip_info) == 304, "struct hl_info_hw_ip_info is 304 bytes of ABI (6.12)");

#endif
