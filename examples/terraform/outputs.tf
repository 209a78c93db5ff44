output "ipam_id" {
  value = aws_vpc_ipam.main.id
}

output "lab_scope_id" {
  value = aws_vpc_ipam_scope.lab.id
}

output "pool_ids" {
  value = { top = aws_vpc_ipam_pool.top.id, regional = aws_vpc_ipam_pool.regional.id, public_ipv6 = aws_vpc_ipam_pool.public_ipv6.id }
}

output "regional_cidr" {
  value = aws_vpc_ipam_pool_cidr.regional.cidr
}

output "allocations" {
  value = {
    by_netmask = aws_vpc_ipam_pool_cidr_allocation.by_netmask.cidr
    by_cidr    = aws_vpc_ipam_pool_cidr_allocation.by_cidr.cidr
  }
}

output "resource_discovery_id" {
  value = aws_vpc_ipam_resource_discovery.extra.id
}

output "delegated_admin_account_id" {
  value = one(aws_vpc_ipam_organization_admin_account.this[*].id)
}

output "preview_next_cidr" {
  description = "The next /24 when the preview resource was created, and now."
  value = {
    at_create = aws_vpc_ipam_preview_next_cidr.next.cidr
    now       = data.aws_vpc_ipam_preview_next_cidr.next.cidr
  }
}

output "read_back" {
  description = "What the data sources read."
  value = {
    ipam_scope_count         = data.aws_vpc_ipam.main.scope_count
    ipam_discovery_count     = data.aws_vpc_ipam.main.resource_discovery_association_count
    ipams                    = [for ipam in data.aws_vpc_ipams.mine.ipams : ipam.id]
    regional_pool_id         = data.aws_vpc_ipam_pool.regional.id
    private_scope_pool_count = length(data.aws_vpc_ipam_pools.private.ipam_pools)
    regional_pool_cidrs      = [for cidr in data.aws_vpc_ipam_pool_cidrs.regional.ipam_pool_cidrs : "${cidr.cidr} ${cidr.state}"]
  }
}
