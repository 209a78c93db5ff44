# Every aws_vpc_ipam* resource and data source of the hashicorp/aws provider, against this IPAM.

provider "aws" {
  region     = var.region
  access_key = var.access_key
  secret_key = var.secret_key
  # Only EC2 (and Organizations, for the delegation) are sent to the IPAM; nothing asks AWS.
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  skip_region_validation      = true
  endpoints {
    ec2           = var.endpoint
    organizations = var.endpoint
  }
}

locals {
  operating_regions = toset(concat([var.region], var.other_operating_regions))
}

# With the organisation's management account key: an organisation member becomes the delegated
# IPAM administrator, whose own IPAM then manages every member account.
resource "aws_vpc_ipam_organization_admin_account" "this" {
  count                      = var.delegated_admin_account_id == null ? 0 : 1
  delegated_admin_account_id = var.delegated_admin_account_id
}

resource "aws_vpc_ipam" "main" {
  description = "${var.name} IPAM"
  dynamic "operating_regions" {
    for_each = local.operating_regions
    content {
      region_name = operating_regions.value
    }
  }
  tags = merge(var.tags, { Name = var.name })
}

# A second private scope, for space that overlaps the default scope's (an acquired network, a lab).
resource "aws_vpc_ipam_scope" "lab" {
  ipam_id     = aws_vpc_ipam.main.id
  description = "${var.name} lab scope"
  tags        = merge(var.tags, { Name = "${var.name}-lab" })
}

# A top-level pool with the organisation's space, and a regional pool drawing a block from it.
resource "aws_vpc_ipam_pool" "top" {
  address_family = "ipv4"
  ipam_scope_id  = aws_vpc_ipam.main.private_default_scope_id
  description    = "${var.name} top-level pool"
  tags           = merge(var.tags, { Name = "${var.name}-top" })
}

resource "aws_vpc_ipam_pool_cidr" "top" {
  ipam_pool_id = aws_vpc_ipam_pool.top.id
  cidr         = var.top_cidr
}

resource "aws_vpc_ipam_pool" "regional" {
  address_family                    = "ipv4"
  ipam_scope_id                     = aws_vpc_ipam.main.private_default_scope_id
  source_ipam_pool_id               = aws_vpc_ipam_pool.top.id
  locale                            = var.region
  description                       = "${var.name} pool in ${var.region}"
  allocation_min_netmask_length     = var.allocation_netmask_lengths.min
  allocation_max_netmask_length     = var.allocation_netmask_lengths.max
  allocation_default_netmask_length = var.allocation_netmask_lengths.default
  allocation_resource_tags          = { environment = var.name }
  tags                              = merge(var.tags, { Name = "${var.name}-${var.region}" })
}

# Public IPv6 space from Amazon for the Region's VPCs: a pool of the public scope, no CIDR of your
# own (AWS provisions Amazon-owned /52s to it by netmask). PubliclyAdvertisable is left out: only
# BYOIPv6 pools have one.
resource "aws_vpc_ipam_pool" "public_ipv6" {
  address_family   = "ipv6"
  ipam_scope_id    = aws_vpc_ipam.main.public_default_scope_id
  locale           = var.region
  public_ip_source = "amazon"
  aws_service      = "ec2"
  description      = "${var.name} Amazon-provided IPv6 in ${var.region}"
  tags             = merge(var.tags, { Name = "${var.name}-ipv6" })
}

# By size: the regional pool takes a free block of that size from the top-level pool.
resource "aws_vpc_ipam_pool_cidr" "regional" {
  ipam_pool_id   = aws_vpc_ipam_pool.regional.id
  netmask_length = var.regional_netmask_length
  depends_on     = [aws_vpc_ipam_pool_cidr.top]
}

# Allocations hold space in the regional pool: one by size, one by CIDR (the block's last /24).
resource "aws_vpc_ipam_pool_cidr_allocation" "by_netmask" {
  ipam_pool_id     = aws_vpc_ipam_pool.regional.id
  netmask_length   = 24
  description      = "a /24, not the first"
  disallowed_cidrs = [cidrsubnet(aws_vpc_ipam_pool_cidr.regional.cidr, 8, 0)]
}

resource "aws_vpc_ipam_pool_cidr_allocation" "by_cidr" {
  ipam_pool_id = aws_vpc_ipam_pool.regional.id
  cidr         = cidrsubnet(aws_vpc_ipam_pool_cidr.regional.cidr, 8, 255)
  description  = "the last /24, reserved"
}

# The CIDR the next /24 would get once the allocations are made, kept from the time this resource
# is created (it reserves nothing).
resource "aws_vpc_ipam_preview_next_cidr" "next" {
  ipam_pool_id   = aws_vpc_ipam_pool.regional.id
  netmask_length = 24
  depends_on     = [aws_vpc_ipam_pool_cidr_allocation.by_netmask, aws_vpc_ipam_pool_cidr_allocation.by_cidr]
}

# A second resource discovery, associated with the IPAM (its default one is created with it).
resource "aws_vpc_ipam_resource_discovery" "extra" {
  description = "${var.name} resource discovery"
  dynamic "operating_regions" {
    for_each = local.operating_regions
    content {
      region_name = operating_regions.value
    }
  }
  tags = merge(var.tags, { Name = "${var.name}-discovery" })
}

resource "aws_vpc_ipam_resource_discovery_association" "extra" {
  ipam_id                    = aws_vpc_ipam.main.id
  ipam_resource_discovery_id = aws_vpc_ipam_resource_discovery.extra.id
  tags                       = merge(var.tags, { Name = "${var.name}-discovery" })
}

# The same things read back with the data sources.
data "aws_vpc_ipam" "main" {
  id         = aws_vpc_ipam.main.id
  depends_on = [aws_vpc_ipam_scope.lab, aws_vpc_ipam_resource_discovery_association.extra]
}

data "aws_vpc_ipams" "mine" {
  ipam_ids = [aws_vpc_ipam.main.id]
}

data "aws_vpc_ipam_pool" "regional" {
  filter {
    name   = "ipam-scope-id"
    values = [aws_vpc_ipam.main.private_default_scope_id]
  }
  filter {
    name   = "locale"
    values = [var.region]
  }
  depends_on = [aws_vpc_ipam_pool.regional]
}

data "aws_vpc_ipam_pools" "private" {
  filter {
    name   = "ipam-scope-id"
    values = [aws_vpc_ipam.main.private_default_scope_id]
  }
  depends_on = [aws_vpc_ipam_pool.top, aws_vpc_ipam_pool.regional]
}

data "aws_vpc_ipam_pool_cidrs" "regional" {
  ipam_pool_id = aws_vpc_ipam_pool.regional.id
  depends_on   = [aws_vpc_ipam_pool_cidr.regional]
}

# The next /24 now, outside the pool's first /24, read at every plan.
data "aws_vpc_ipam_preview_next_cidr" "next" {
  ipam_pool_id     = aws_vpc_ipam_pool.regional.id
  netmask_length   = 24
  disallowed_cidrs = [cidrsubnet(aws_vpc_ipam_pool_cidr.regional.cidr, 8, 0)]
  depends_on       = [aws_vpc_ipam_pool_cidr_allocation.by_netmask, aws_vpc_ipam_pool_cidr_allocation.by_cidr]
}
