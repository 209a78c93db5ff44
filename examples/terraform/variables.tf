variable "endpoint" {
  description = "The IPAM's endpoint: what npm start prints, or the API URL of the CDK deployment."
  type        = string
  default     = "http://127.0.0.1:4510"
}

variable "region" {
  description = "The IPAM's home Region, and the locale of the regional pool."
  type        = string
  default     = "us-east-1"
}

variable "other_operating_regions" {
  description = "Regions the IPAM and the resource discovery manage besides the home Region."
  type        = list(string)
  default     = ["us-west-2"]
}

variable "access_key" {
  description = "The access key id of the account that owns the IPAM (npm start prints one)."
  type        = string
}

variable "secret_key" {
  description = "Its secret access key."
  type        = string
  sensitive   = true
}

variable "delegated_admin_account_id" {
  description = "An organisation member to make the delegated IPAM administrator (needs the management account's key); null for none."
  type        = string
  default     = null
}

variable "name" {
  description = "Names the resources: in their descriptions and Name tags."
  type        = string
  default     = "example"
}

variable "tags" {
  description = "Tags for every taggable resource."
  type        = map(string)
  default     = { managed-by = "terraform" }
}

variable "top_cidr" {
  description = "The space of the top-level pool."
  type        = string
  default     = "10.0.0.0/8"
}

variable "regional_netmask_length" {
  description = "The size of the block the regional pool takes from the top-level pool."
  type        = number
  default     = 16
}

variable "allocation_netmask_lengths" {
  description = "The regional pool's allocation rules: the smallest and largest prefix, and the default."
  type        = object({ min = number, max = number, default = number })
  default     = { min = 16, max = 28, default = 24 }
}
